import { expect } from 'vitest';
import type { App } from '../../src/compose.js';
import type { Role } from '../../src/core/officer.js';

/** A signed-in officer: the session cookie and the CSRF token that goes with it. */
export interface Session {
  username: string;
  cookie: string;
  csrf: string;
}

export const TEST_PASSWORD = 'correct horse battery staple 42';

/** Creates an officer account and signs in. */
export async function signIn(
  app: App,
  username: string,
  role: Role,
  region: string,
): Promise<Session> {
  await app.officers.create({ username, password: TEST_PASSWORD, role, region });
  const response = await app.http.inject({
    method: 'POST',
    url: '/api/session',
    payload: { username, password: TEST_PASSWORD },
  });
  expect(response.statusCode, response.body).toBe(200);
  return {
    username,
    cookie: String(response.headers['set-cookie']).split(';')[0] ?? '',
    csrf: response.json<{ csrfToken: string }>().csrfToken,
  };
}

/** One API call as that officer (with the CSRF header). */
export function api(
  app: App,
  session: Session,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: object,
) {
  return app.http.inject({
    method,
    url,
    headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    ...(payload ? { payload } : {}),
  });
}

/** The id of the case with this reference. */
export async function caseIdOf(app: App, reference: string): Promise<string> {
  const found = await app.cases.findIdByReference(reference);
  if (!found) throw new Error(`no case ${reference}`);
  return found;
}

/** The confirmation checklist with every box ticked. */
export const FULL_CHECKLIST = {
  minor: true,
  riskToLife: true,
  enoughDescription: true,
  parentsAgreePublication: true,
} as const;

/** Claims and confirms a case as one officer. */
export async function claimAndConfirm(app: App, session: Session, caseId: string): Promise<void> {
  const claimed = await api(app, session, 'POST', `/api/cases/${caseId}/claim`, {});
  expect(claimed.statusCode, claimed.body).toBe(200);
  const confirmed = await api(app, session, 'POST', `/api/cases/${caseId}/confirm`, {
    checklist: FULL_CHECKLIST,
  });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
}
