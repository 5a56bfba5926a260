/**
 * The UI: mounted by main.ts once this chunk is loaded. The live client
 * takes over the socket main.ts opened (and the snapshot it may hold
 * already) before the components mount.
 */
import { mount } from 'svelte';
import App from './App.svelte';
import { session } from './lib/state/session.svelte.ts';

const target = document.getElementById('app');
if (!target) throw new Error('no #app element');
// A page opened on a session of the server's folder (?session=NAME) shows that one instead (App.svelte).
if (!new URLSearchParams(location.search).get('session')) session.connect();
export default mount(App, { target });
