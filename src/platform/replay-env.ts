/**
 * The environment variable that replays a snapshot for every command (like `--replay FILE`). Its
 * own module: the CLI's entry sets it without loading the platform code.
 */
export const REPLAY_ENV = 'PORTDOCTOR_REPLAY';
