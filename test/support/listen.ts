import { errorAnswer } from '../../src/adapters/http/errorAnswer.js';
import type { App } from '../../src/compose.js';

/** Starts the app on a real port of `host` and returns the port. */
export async function listen(app: App, host = '127.0.0.1'): Promise<number> {
  await app.http.listen({ port: 0, host });
  const address = app.http.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP');
  return address.port;
}

/** The error of an API answer, checked against the project's error shape. */
export async function errorOf(response: Response) {
  return errorAnswer.parse(await response.json()).error;
}
