/** `pacscope doctor` command line (server/cli/doctor.ts): defaults and one-line errors for bad input. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { doctorCommand, parseDoctorLine } from '../../../server/cli/doctor.ts';

afterEach(() => vi.restoreAllMocks());

describe('parseDoctorLine', () => {
  it('defaults: calling AE PACSCOPE, the store SCP answers to it on 127.0.0.1, a free port; 10 s timeout', () => {
    expect(parseDoctorLine(['--aec', 'PACS', 'pacs.local', '104'])).toEqual({
      target: { host: 'pacs.local', port: 104, calledAeTitle: 'PACS', callingAeTitle: 'PACSCOPE' },
      store: { ae: 'PACSCOPE', host: '127.0.0.1', port: 0 },
      record: undefined,
      overwrite: false,
      json: false,
      timeoutMs: 10_000,
    });
  });

  it('every option', () => {
    const line = parseDoctorLine(['--aet', 'ME', '--aec', 'PACS', '--dest', 'WS1', '--store', 'DOC@127.0.0.1:11119', '--record', 'x.pacscope', '--json', '--timeout', '3', 'h', '11112']);
    expect(line).toMatchObject({ target: { callingAeTitle: 'ME', destination: 'WS1', port: 11112 }, store: { ae: 'DOC', host: '127.0.0.1', port: 11119 }, record: 'x.pacscope', json: true, timeoutMs: 3000 });
  });

  it.each([
    [['127.0.0.1', '104'], "--aec AE (the peer's AE title) is required"],
    [['--aec', 'PACS', '127.0.0.1'], 'HOST and PORT are required'],
    [['--aec', 'PACS', '127.0.0.1', 'x'], 'PORT must be a number from 1 to 65535, got "x"'],
    [['--aec', 'PACS', '127.0.0.1', '70000'], 'the port must be an integer from 1 to 65535, got 70000'],
    [['--aec', 'A_VERY_LONG_AE_TITLE', 'h', '1'], 'the called AE title must have 1 to 16 characters'],
    [['--aec', 'PACS', '--store', 'nohost', 'h', '1'], '--store: expected AET@HOST:PORT, got "nohost"'],
    [['--aec', 'PACS', '--timeout', '0', 'h', '1'], '--timeout: seconds from 1 to 3600'],
    [['--aec', 'PACS', '--bogus', 'h', '1'], 'unknown option --bogus'],
    [['--aec', 'PACS', 'h', '1', 'extra'], 'unexpected argument extra'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseDoctorLine(argv)).toThrow(message);
  });

  it('a usage error is one line plus the usage on stderr, exit 2', async () => {
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await doctorCommand(['127.0.0.1', '104'])).toBe(2);
    expect(String(err.mock.calls[0][0])).toMatch(/^pacscope doctor: --aec AE \(the peer's AE title\) is required\nusage: pacscope doctor/);
  });
});
