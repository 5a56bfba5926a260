/**
 * A reader that stops reading is not an error: `pacscope summary FILE | head
 * -1` closes the pipe after one line, and the next write to stdout fails with
 * EPIPE (Node ignores SIGPIPE, so the write reports it instead). Without a
 * listener that error is thrown from the stream's 'error' event as a stack
 * trace. Here it only marks the output closed: a command that was printing
 * ends quietly, and a long-running one (proxy, serve) goes on without its
 * output rather than dying with its recording unflushed.
 */

let installed = false;

/** True for the errors of writing to a pipe or terminal whose reader has gone. */
export function isClosedPipe(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

/** Listens once for the process: EPIPE on stdout or stderr is swallowed, any other stream error is thrown as before. */
export function ignoreClosedPipes(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: Error) => {
      if (!isClosedPipe(e)) throw e;
    });
  }
}
