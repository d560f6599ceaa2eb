// Tifli — the officers' console. Plain ES module, no dependencies, no build step.
//
// Two rules hold everywhere in this file:
// - every word shown comes from locales/<lang>/console.json through `t()`;
// - everything typed by families or officers reaches the page as text nodes
//   (`append`, `textContent`), never as markup: `h()` below has no way to
//   insert HTML, and URLs from the server are checked before use.

const LANGUAGES = ['fr', 'ar', 'ary'];
const RTL_LANGUAGES = new Set(['ar', 'ary']);
/** Intl locales for dates: Moroccan French and Moroccan Arabic (Latin digits, as used locally). */
const INTL_LOCALES = { fr: 'fr-MA', ar: 'ar-MA', ary: 'ar-MA' };
const TIME_ZONE = 'Africa/Casablanca';
const QUEUE_TABS = ['pending', 'in_review', 'confirmed'];
/** The pending cases no region claims: every supervisor and admin sees them, to give them a region. */
const NATIONAL_TAB = 'national';
/** Who sees the national queue, sets a case's region, and lifts login slow-downs and lock-outs. */
const SUPERVISING_ROLES = ['supervisor', 'admin'];
const REGIONS = [
  'tanger-tetouan-al-hoceima',
  'oriental',
  'fes-meknes',
  'rabat-sale-kenitra',
  'beni-mellal-khenifra',
  'casablanca-settat',
  'marrakech-safi',
  'draa-tafilalet',
  'souss-massa',
  'guelmim-oued-noun',
  'laayoune-sakia-el-hamra',
  'dakhla-oued-ed-dahab',
];
/** Where each action applies (mirrors the server's lifecycle; the server still decides). */
const CLAIMABLE = ['pending'];
const RELEASABLE = ['in_review'];
const CONFIRMABLE = ['in_review'];
const REJECTABLE = ['pending', 'in_review'];
const RESOLVABLE = ['in_review', 'confirmed', 'alert_active'];
const REASSIGNABLE = ['pending', 'in_review', 'confirmed', 'alert_active'];
/** Roles that may hand a case to a colleague of its region (the server still decides). */
const REASSIGNING_ROLES = ['supervisor', 'admin'];
/** Statuses in which the family's messages go to the officer (and back). */
const CONVERSATION_OPEN = ['in_review', 'confirmed', 'alert_active'];
const REJECT_REASONS = [
  'not_missing',
  'not_guardian',
  'duplicate',
  'false_report',
  'referred_to_station',
];
const RESOLVE_REASONS = ['found_safe', 'found_hospital', 'returned_home', 'other'];
/** The confirmation checklist: box id → field of the API body. */
const CHECKLIST = [
  ['minor', 'minor'],
  ['risk', 'riskToLife'],
  ['description', 'enoughDescription'],
  ['agreement', 'parentsAgreePublication'],
];
const LANGUAGE_KEY = 'tifli.console.language';
const WAITING_REFRESH_MS = 30_000;
/** A case may get an alert proposed only once confirmed (the server still decides). */
const ALERTABLE = ['confirmed'];
/** Statuses whose case view shows the alerts panel even before any alert exists. */
const ALERT_PANEL_STATUSES = ['confirmed', 'alert_active'];
/** Roles that may approve (if they did not propose) and extend an alert. */
const ALERT_SUPERVISING_ROLES = ['supervisor', 'admin'];
/** The languages an alert is published in, in the order the officer reviews them. */
const ALERT_TEXT_LANGUAGES = ['ar', 'fr', 'ary'];
const ALERT_MAX_STAGES = 6;
/** Broadcast progress is pushed on the live stream; this slow poll only backs it up. */
const ALERT_POLL_MS = 5_000;

const emptyDrafts = () => ({
  message: '',
  note: '',
  reportNumber: null,
  checklist: { minor: false, risk: false, description: false, agreement: false },
  reject: '',
  resolve: '',
  reassign: '',
});

/** What the case view knows of the open case's alerts and sightings; reset when another case opens. */
const emptyAlerting = () => ({
  alerts: [],
  alertsLoaded: false,
  /** Ids and states of the alerts last read: a change of state means the case status changed. */
  alertStates: '',
  alertsJson: '',
  sightings: [],
  sightingsLoaded: false,
  sightingsJson: '',
  /** Sightings that arrived while the case was open: highlighted until the officer acknowledges them. */
  fresh: new Set(),
  /** The alert being proposed, as typed (strings), or null when the form is closed. */
  form: null,
  /** `{ alertId, action: 'approve' | 'cancel' }` waiting for the officer's second click. */
  confirm: null,
  /** The last failed alert call: the server's own localized sentence, else a console key. */
  error: null,
  extendHours: '2',
  /** How many recipients each proposed alert's first day can reach, by alert id. */
  reach: {},
});

const state = {
  language: initialLanguage(),
  /** Loaded texts by language; French is always loaded as the fallback. */
  texts: {},
  officer: null,
  /** Held in memory only: sent as `x-csrf-token` on every state-changing request. */
  csrfToken: null,
  view: 'loading',
  tab: 'pending',
  cases: [],
  casesLoaded: false,
  casesFetchedAt: 0,
  openCaseId: null,
  detail: null,
  detailFetchedAt: 0,
  /** `{ kind: 'error' | 'success', key, params?, fields? }`, re-translated on language switch. */
  notice: null,
  drafts: emptyDrafts(),
  alerting: emptyAlerting(),
  login: { username: '', password: '' },
  /** The supervisors' officers page: the accounts, and the address typed to unlock. */
  accounts: { officers: [], loaded: false, address: '' },
  busy: false,
  live: 'off',
  /** Data-subject requests (Law 09-08): the pending list, the open case's, refusal drafts. */
  rights: { pending: [], loaded: false, forCase: [], reasons: {}, notes: {} },
};

let events = null;
let refreshTimer = null;
let refreshRunning = false;
let refreshAgain = false;
const pendingRefresh = {
  list: false,
  caseIds: new Set(),
  alertCaseIds: new Set(),
  sightingCaseIds: new Set(),
};

// ---------------------------------------------------------------- texts

function initialLanguage() {
  const stored = readStoredLanguage();
  if (stored && LANGUAGES.includes(stored)) return stored;
  const browser = (navigator.language || '').toLowerCase();
  return browser.startsWith('ar') ? 'ar' : 'fr';
}

function readStoredLanguage() {
  try {
    return window.localStorage.getItem(LANGUAGE_KEY);
  } catch {
    // Storage can be disabled by policy; the browser language is then used.
    return null;
  }
}

function storeLanguage(language) {
  try {
    window.localStorage.setItem(LANGUAGE_KEY, language);
  } catch {
    // Not remembering the choice is acceptable: it only affects the next visit.
    return;
  }
}

async function loadTexts(language) {
  if (state.texts[language]) return;
  const response = await fetch(`/console/i18n/${language}.json`, { cache: 'no-cache' });
  if (!response.ok) throw new Error(`console texts for ${language}: ${response.status}`);
  state.texts[language] = await response.json();
}

function lookup(texts, key) {
  let value = texts;
  for (const part of key.split('.')) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, part)) {
      return undefined;
    }
    value = value[part];
  }
  return typeof value === 'string' ? value : undefined;
}

/** The sentence of `key` in the console language, with `{{name}}` filled from `params`. */
function t(key, params = {}) {
  const sentence = lookup(state.texts[state.language], key) ?? lookup(state.texts.fr, key) ?? key;
  return sentence.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}

/** `t()` for an optional key (a status or region the texts may not know): the raw value otherwise. */
function tOr(key, fallback) {
  return lookup(state.texts[state.language], key) ?? lookup(state.texts.fr, key) ?? fallback;
}

function formatDateTime(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '';
  return new Intl.DateTimeFormat(INTL_LOCALES[state.language], {
    dateStyle: 'short',
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  }).format(date);
}

function formatWaiting(seconds) {
  const total = Math.max(0, Math.floor(seconds));
  if (total < 60) return t('time.less_than_minute');
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return t('time.minutes', { minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('time.hours', { hours, minutes: minutes % 60 });
  return t('time.days', { days: Math.floor(hours / 24), hours: hours % 24 });
}

function formatAge(age) {
  if (!age || typeof age.years !== 'number') return t('case.not_given');
  if (age.years === 0 && typeof age.months === 'number') {
    return t('child.age_months', { months: age.months });
  }
  if (typeof age.months === 'number' && age.months > 0) {
    return t('child.age_years_months', { years: age.years, months: age.months });
  }
  return t('child.age_years', { years: age.years });
}

// ---------------------------------------------------------------- DOM

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'required']);

/**
 * Creates an element. Children are nodes or strings; strings become text
 * nodes, so data can never turn into markup. `on*` props take listeners.
 */
function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') element.className = value;
    else if (name === 'testid') element.setAttribute('data-testid', value);
    else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (PROPERTIES.has(name)) element[name] = value;
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Text typed by someone else, isolated so that its direction does not disturb the layout. */
function data(value, props = {}) {
  return h('bdi', props, value);
}

/** A same-origin URL from the server (the photo), or null. */
function sameOriginUrl(value) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value, window.location.href);
    return url.origin === window.location.origin ? url.href : null;
  } catch {
    return null;
  }
}

/** An https URL from the server (the map link), or null: never `javascript:`. */
function httpsUrl(value) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** An http(s) URL from the server (the public CAP link, on the public host), or null. */
function webUrl(value) {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- API

const STATUS_CODES = {
  400: 'bad_request',
  401: 'unauthenticated',
  403: 'csrf',
  404: 'not_found',
  409: 'conflict',
  429: 'too_many_attempts',
};

/** One call to the officer API; never throws. */
async function api(method, path, body) {
  const headers = { accept: 'application/json', 'accept-language': state.language };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && state.csrfToken) headers['x-csrf-token'] = state.csrfToken;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    return { ok: false, status: 0, code: 'network' };
  }
  let payload = null;
  if (response.status !== 204) {
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
  }
  if (response.ok) return { ok: true, status: response.status, data: payload };
  const error = payload && typeof payload === 'object' ? payload.error : null;
  return {
    ok: false,
    status: response.status,
    code: error?.code ?? STATUS_CODES[response.status] ?? 'internal',
    /** The server's sentence, already in the console language (sent as Accept-Language). */
    message: typeof error?.message === 'string' && error.message !== '' ? error.message : null,
    fields: Array.isArray(error?.fields) ? error.fields : [],
    /** Seconds to wait before trying again (a throttled login). */
    retryAfter: Number(response.headers.get('retry-after')) || null,
  };
}

function showError(result, overrides = {}) {
  const known = [
    'bad_request',
    'unauthenticated',
    'csrf',
    'not_found',
    'conflict',
    'too_many_attempts',
    'network',
  ];
  const code = known.includes(result.code) ? result.code : 'internal';
  const key = overrides[code] ?? `errors.${code}`;
  const fields = (result.fields ?? [])
    .map((field) => (field && typeof field.path === 'string' ? field.path : ''))
    .filter((path) => path !== '');
  state.notice = { kind: 'error', key, fields };
}

function showSuccess(key, params) {
  state.notice = { kind: 'success', key, params };
}

/** The session ended under us (expired, logged out elsewhere): back to the login form. */
function sessionLost() {
  closeEvents();
  state.officer = null;
  state.csrfToken = null;
  state.view = 'login';
  state.notice = { kind: 'error', key: 'login.expired' };
  render();
}

// ---------------------------------------------------------------- live updates

function connectEvents() {
  if (events) return;
  const source = new EventSource('/api/events');
  events = source;
  source.addEventListener('open', () => {
    setLive('connected');
    // Whatever happened while the stream was down (or before it opened) is fetched now.
    scheduleRefresh(null);
  });
  source.addEventListener('error', () => {
    if (source.readyState !== EventSource.CLOSED) {
      setLive('reconnecting');
      return;
    }
    // The server refused the stream (expired session, restart): check and retry later,
    // never in a tight loop.
    closeEvents();
    setLive('reconnecting');
    window.setTimeout(() => void reconnectEvents(), 5_000);
  });
  const onEvent = (event) => {
    let caseId = null;
    let type = null;
    try {
      const parsed = JSON.parse(event.data);
      caseId = parsed && typeof parsed.caseId === 'string' ? parsed.caseId : null;
      type = parsed && typeof parsed.type === 'string' ? parsed.type : null;
    } catch {
      caseId = null;
    }
    scheduleRefresh(caseId, type);
  };
  source.addEventListener('case', onEvent);
  source.addEventListener('message', onEvent);
}

async function reconnectEvents() {
  if (!state.officer || events) return;
  const result = await api('GET', '/api/session');
  if (result.ok && result.data?.officer) {
    state.csrfToken = result.data.csrfToken ?? state.csrfToken;
    connectEvents();
  } else if (result.status === 401) sessionLost();
  else window.setTimeout(() => void reconnectEvents(), 15_000);
}

function closeEvents() {
  if (events) events.close();
  events = null;
  setLive('off');
}

function setLive(live) {
  state.live = live;
  const indicator = document.querySelector('[data-testid="live"]');
  if (!indicator) return;
  indicator.className = `live live-${live}`;
  indicator.hidden = live === 'off';
  indicator.textContent = live === 'connected' ? t('live.connected') : t('live.reconnecting');
}

/**
 * Coalesces bursts of events into one re-fetch of what they concern: the
 * list and the open case, or only the open case's alerts or sightings (a
 * broadcast in progress sends an alert event every second; re-reading the
 * whole case each time would fill the audit trail with reads).
 */
function scheduleRefresh(caseId, type = null) {
  if (type === 'alert') {
    if (state.view === 'queue') pendingRefresh.list = true;
    if (caseId !== null) pendingRefresh.alertCaseIds.add(caseId);
  } else if (type === 'sighting') {
    if (caseId !== null) pendingRefresh.sightingCaseIds.add(caseId);
  } else {
    pendingRefresh.list = true;
    if (caseId === null) {
      if (state.openCaseId) {
        pendingRefresh.caseIds.add(state.openCaseId);
        pendingRefresh.alertCaseIds.add(state.openCaseId);
        pendingRefresh.sightingCaseIds.add(state.openCaseId);
      }
    } else pendingRefresh.caseIds.add(caseId);
  }
  if (refreshTimer !== null) return;
  refreshTimer = window.setTimeout(() => {
    refreshTimer = null;
    void runRefresh();
  }, 100);
}

async function runRefresh() {
  if (refreshRunning) {
    refreshAgain = true;
    return;
  }
  refreshRunning = true;
  try {
    const list = pendingRefresh.list;
    const caseIds = new Set(pendingRefresh.caseIds);
    const alertCaseIds = new Set(pendingRefresh.alertCaseIds);
    const sightingCaseIds = new Set(pendingRefresh.sightingCaseIds);
    pendingRefresh.list = false;
    pendingRefresh.caseIds.clear();
    pendingRefresh.alertCaseIds.clear();
    pendingRefresh.sightingCaseIds.clear();
    const tasks = [];
    if (list) tasks.push(fetchCases().then(() => true));
    const id = state.openCaseId;
    if (id && caseIds.has(id)) tasks.push(fetchCase(id).then(() => true));
    if (id && alertCaseIds.has(id)) {
      tasks.push(
        fetchAlerts(id).then(async (outcome) => {
          // An alert that changed state (approved, ended) changed the case status too,
          // and a success line about the earlier state ("waiting for approval") is stale.
          if (outcome.stateChanged && state.notice?.kind === 'success') state.notice = null;
          if (outcome.stateChanged && !caseIds.has(id)) await fetchCase(id);
          return outcome.changed;
        }),
      );
    }
    if (id && sightingCaseIds.has(id)) tasks.push(fetchSightings(id));
    const changed = await Promise.all(tasks);
    // Rebuilding the page only when something changed keeps an open menu open.
    if (changed.some(Boolean)) render();
  } finally {
    refreshRunning = false;
    if (refreshAgain) {
      refreshAgain = false;
      void runRefresh();
    }
  }
}

// ---------------------------------------------------------------- data

function supervising() {
  return Boolean(state.officer && SUPERVISING_ROLES.includes(state.officer.role));
}

function queueTabs() {
  return supervising() ? [...QUEUE_TABS, NATIONAL_TAB] : QUEUE_TABS;
}

async function fetchCases() {
  const tab = state.tab;
  if (state.view === 'officers') return;
  const query =
    tab === NATIONAL_TAB ? 'status=pending&queue=national' : `status=${encodeURIComponent(tab)}`;
  const result = await api('GET', `/api/cases?${query}`);
  if (tab !== state.tab) return;
  if (!result.ok) {
    if (result.status === 401) return sessionLost();
    showError(result);
    return;
  }
  state.cases = Array.isArray(result.data?.cases) ? result.data.cases : [];
  state.casesLoaded = true;
  state.casesFetchedAt = Date.now();
}

async function fetchCase(id) {
  const result = await api('GET', `/api/cases/${encodeURIComponent(id)}`);
  if (id !== state.openCaseId) return;
  if (!result.ok) {
    if (result.status === 401) return sessionLost();
    showError(result);
    if (result.status === 404) state.detail = null;
    return;
  }
  acceptCase(result.data?.case);
}

/**
 * Reads the open case's alerts. Says whether anything changed, and whether an
 * alert appeared or changed state (then the case status changed with it).
 */
async function fetchAlerts(id) {
  const result = await api('GET', `/api/cases/${encodeURIComponent(id)}/alerts`);
  if (id !== state.openCaseId) return { changed: false, stateChanged: false };
  if (!result.ok) {
    if (result.status === 401) sessionLost();
    return { changed: false, stateChanged: false };
  }
  const alerts = Array.isArray(result.data?.alerts) ? result.data.alerts : [];
  const alerting = state.alerting;
  const json = JSON.stringify(alerts);
  const states = alerts.map((alert) => `${alert.id}:${alert.state}`).join(',');
  const changed = !alerting.alertsLoaded || json !== alerting.alertsJson;
  const stateChanged = alerting.alertsLoaded && states !== alerting.alertStates;
  alerting.alerts = alerts;
  alerting.alertsJson = json;
  alerting.alertStates = states;
  alerting.alertsLoaded = true;
  if (alerting.confirm && !alerts.some((alert) => alert.id === alerting.confirm.alertId)) {
    alerting.confirm = null;
  }
  return { changed, stateChanged };
}

/** Reads the open case's sightings; those not seen before (after the first read) are fresh. */
async function fetchSightings(id) {
  const result = await api('GET', `/api/cases/${encodeURIComponent(id)}/sightings`);
  if (id !== state.openCaseId) return false;
  if (!result.ok) {
    if (result.status === 401) sessionLost();
    return false;
  }
  const sightings = (Array.isArray(result.data?.sightings) ? result.data.sightings : []).sort(
    (a, b) => new Date(b.seenAt).getTime() - new Date(a.seenAt).getTime(),
  );
  const alerting = state.alerting;
  const json = JSON.stringify(sightings);
  if (alerting.sightingsLoaded && json === alerting.sightingsJson) return false;
  if (alerting.sightingsLoaded) {
    const known = new Set(alerting.sightings.map((sighting) => sighting.id));
    for (const sighting of sightings) if (!known.has(sighting.id)) alerting.fresh.add(sighting.id);
  }
  alerting.sightings = sightings;
  alerting.sightingsJson = json;
  alerting.sightingsLoaded = true;
  return true;
}

function acceptCase(detail) {
  if (!detail || detail.id !== state.openCaseId) return;
  state.detail = detail;
  state.detailFetchedAt = Date.now();
}

async function resumeSession() {
  const result = await api('GET', '/api/session');
  if (result.ok && result.data?.officer) {
    state.officer = result.data.officer;
    state.csrfToken = result.data.csrfToken ?? null;
    connectEvents();
    await route();
    return;
  }
  state.officer = null;
  state.csrfToken = null;
  state.view = 'login';
  render();
}

// ---------------------------------------------------------------- navigation

function parseHash() {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const [kind, value] = hash.split('/');
  if (kind === 'case' && value) return { view: 'case', id: decodeURIComponent(value) };
  if (kind === 'queue' && [...QUEUE_TABS, NATIONAL_TAB].includes(value))
    return { view: 'queue', tab: value };
  if (kind === 'officers') return { view: 'officers' };
  if (kind === 'rights') return { view: 'rights' };
  return { view: 'queue', tab: state.tab };
}

async function route() {
  if (!state.officer) {
    state.view = 'login';
    render();
    return;
  }
  const target = parseHash();
  if (target.view === 'officers') {
    state.view = 'officers';
    render();
    await fetchAccounts();
    render();
    return;
  }
  if (target.view === 'case') {
    if (state.openCaseId !== target.id) {
      state.openCaseId = target.id;
      state.detail = null;
      state.drafts = emptyDrafts();
      state.alerting = emptyAlerting();
    }
    state.view = 'case';
    render();
    await Promise.all([
      fetchCase(target.id),
      fetchAlerts(target.id),
      fetchSightings(target.id),
      fetchCaseRights(target.id),
    ]);
    render();
    return;
  }
  if (target.view === 'rights') {
    state.openCaseId = null;
    state.detail = null;
    state.view = 'rights';
    render();
    await fetchPendingRights();
    render();
    return;
  }
  state.openCaseId = null;
  state.detail = null;
  state.alerting = emptyAlerting();
  state.view = 'queue';
  if (target.tab !== state.tab) {
    state.tab = target.tab;
    state.casesLoaded = false;
    state.cases = [];
  }
  render();
  await fetchCases();
  render();
}

function go(hash) {
  if (window.location.hash === hash) void route();
  else window.location.hash = hash;
}

// ---------------------------------------------------------------- actions

async function submitLogin(event) {
  event.preventDefault();
  if (state.busy) return;
  state.busy = true;
  state.notice = null;
  render();
  const result = await api('POST', '/api/session', {
    username: state.login.username.trim(),
    password: state.login.password,
  });
  state.busy = false;
  state.login.password = '';
  if (!result.ok) {
    if (result.code === 'invalid_credentials' || result.status === 401 || result.status === 400) {
      state.notice = { kind: 'error', key: 'login.failed' };
    } else if (result.status === 429 && result.retryAfter) {
      state.notice = {
        kind: 'error',
        key: 'accounts.wait_seconds',
        params: { seconds: result.retryAfter },
      };
    } else showError(result);
    render();
    return;
  }
  state.officer = result.data.officer;
  state.csrfToken = result.data.csrfToken;
  state.login = { username: '', password: '' };
  connectEvents();
  await route();
}

async function logout() {
  await api('DELETE', '/api/session');
  closeEvents();
  state.officer = null;
  state.csrfToken = null;
  state.cases = [];
  state.casesLoaded = false;
  state.detail = null;
  state.openCaseId = null;
  state.alerting = emptyAlerting();
  state.notice = null;
  state.view = 'login';
  render();
}

/**
 * Runs one state-changing call on the open case, then shows its outcome and
 * what the case has become (a 409 means someone else changed it: re-fetch).
 */
async function caseAction({
  path,
  method = 'POST',
  body,
  success,
  successParams,
  conflictKey,
  errorKeys = {},
  after,
}) {
  const id = state.openCaseId;
  if (!id || state.busy) return;
  state.busy = true;
  state.notice = null;
  render();
  const result = await api(method, `/api/cases/${encodeURIComponent(id)}${path}`, body);
  state.busy = false;
  if (result.ok) {
    showSuccess(success, successParams);
    if (after) after();
    if (result.data?.case) acceptCase(result.data.case);
  } else if (result.status === 401) {
    sessionLost();
    return;
  } else {
    showError(result, conflictKey ? { ...errorKeys, conflict: conflictKey } : errorKeys);
  }
  await Promise.all([fetchCase(id), fetchCases()]);
  render();
}

const claim = () =>
  caseAction({ path: '/claim', success: 'feedback.claimed', conflictKey: 'errors.claim_conflict' });

const release = () => caseAction({ path: '/release', success: 'feedback.released' });

function sendMessage() {
  const text = state.drafts.message.trim();
  if (text === '') {
    state.notice = { kind: 'error', key: 'errors.empty_text' };
    render();
    return;
  }
  return caseAction({
    path: '/messages',
    body: { text },
    success: 'feedback.message_sent',
    after: () => {
      state.drafts.message = '';
    },
  });
}

function addNote() {
  const text = state.drafts.note.trim();
  if (text === '') {
    state.notice = { kind: 'error', key: 'errors.empty_text' };
    render();
    return;
  }
  return caseAction({
    path: '/notes',
    body: { text },
    success: 'feedback.note_added',
    after: () => {
      state.drafts.note = '';
    },
  });
}

function saveReportNumber() {
  const value = (state.drafts.reportNumber ?? state.detail?.officialReportNumber ?? '').trim();
  if (value === '') {
    state.notice = { kind: 'error', key: 'errors.empty_text' };
    render();
    return;
  }
  return caseAction({
    path: '',
    method: 'PATCH',
    body: { officialReportNumber: value },
    success: 'feedback.report_saved',
    after: () => {
      state.drafts.reportNumber = null;
    },
  });
}

function confirmCase() {
  const boxes = state.drafts.checklist;
  if (!CHECKLIST.every(([box]) => boxes[box])) return;
  const checklist = Object.fromEntries(CHECKLIST.map(([box, field]) => [field, boxes[box]]));
  return caseAction({ path: '/confirm', body: { checklist }, success: 'feedback.confirmed' });
}

function rejectCase() {
  if (!REJECT_REASONS.includes(state.drafts.reject)) return;
  return caseAction({
    path: '/reject',
    body: { reason: state.drafts.reject },
    success: 'feedback.rejected',
  });
}

function resolveCase() {
  if (!RESOLVE_REASONS.includes(state.drafts.resolve)) return;
  return caseAction({
    path: '/resolve',
    body: { reason: state.drafts.resolve },
    success: 'feedback.resolved',
  });
}

function reassignCase() {
  const username = state.drafts.reassign.trim();
  if (username === '') {
    state.notice = { kind: 'error', key: 'errors.empty_text' };
    render();
    return;
  }
  return caseAction({
    path: '/reassign',
    body: { username },
    success: 'feedback.reassigned',
    successParams: { username },
    errorKeys: { bad_request: 'errors.reassign_unknown' },
    after: () => {
      state.drafts.reassign = '';
    },
  });
}

async function switchLanguage(language) {
  if (!LANGUAGES.includes(language)) return;
  try {
    await loadTexts(language);
  } catch {
    state.notice = { kind: 'error', key: 'errors.network' };
    render();
    return;
  }
  state.language = language;
  storeLanguage(language);
  render();
}

// ---------------------------------------------------------------- views

function render() {
  const root = document.getElementById('app');
  if (!root) return;
  const html = document.documentElement;
  html.lang = state.language;
  html.dir = RTL_LANGUAGES.has(state.language) ? 'rtl' : 'ltr';
  // New sightings show in the tab's title too, for an officer looking at another window.
  const fresh = state.view === 'case' ? state.alerting.fresh.size : 0;
  document.title = fresh > 0 ? `(${fresh}) ${t('app.title')}` : t('app.title');

  // Rebuilding the page must not take the pen out of the officer's hand.
  const active = document.activeElement;
  const focusId = active?.getAttribute?.('data-testid') ?? null;
  const selection =
    active && typeof active.selectionStart === 'number'
      ? [active.selectionStart, active.selectionEnd]
      : null;

  const main = h('main', { id: 'main', class: `view view-${state.view}`, tabindex: '-1' });
  if (state.view === 'login') main.append(loginView());
  else if (state.view === 'queue') main.append(queueView());
  else if (state.view === 'case') main.append(caseView());
  else if (state.view === 'rights') main.append(rightsView());
  else if (state.view === 'officers') main.append(officersView());
  else main.append(h('p', { class: 'muted' }, t('app.loading')));

  root.replaceChildren(
    h('a', { class: 'skip-link', href: '#main', onclick: skipToMain }, t('app.skip_to_content')),
    headerView(),
    noticeView(),
    main,
  );
  root.setAttribute('aria-busy', state.busy ? 'true' : 'false');

  if (focusId) {
    const again = root.querySelector(`[data-testid="${CSS.escape(focusId)}"]`);
    if (again instanceof HTMLElement) {
      again.focus({ preventScroll: true });
      if (selection && typeof again.setSelectionRange === 'function') {
        try {
          again.setSelectionRange(selection[0], selection[1]);
        } catch {
          // Some inputs (checkboxes) have no selection; focus alone is enough.
          again.focus({ preventScroll: true });
        }
      }
    }
  }
}

function skipToMain(event) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

function headerView() {
  const switcher = h(
    'div',
    { class: 'lang-switch', role: 'group', 'aria-label': t('lang.label') },
    LANGUAGES.map((language) =>
      h(
        'button',
        {
          type: 'button',
          class: 'lang-button',
          testid: `lang-${language}`,
          lang: language,
          dir: RTL_LANGUAGES.has(language) ? 'rtl' : 'ltr',
          'aria-pressed': language === state.language ? 'true' : 'false',
          onclick: () => switchLanguage(language),
        },
        t(`lang.${language}`),
      ),
    ),
  );
  const officer = state.officer
    ? h(
        'div',
        { class: 'officer' },
        h(
          'span',
          { class: 'officer-name', testid: 'officer' },
          t('login.signed_in_as', {
            username: state.officer.username,
            role: tOr(`role.${state.officer.role}`, state.officer.role),
            region: tOr(`region.${state.officer.region}`, state.officer.region),
          }),
        ),
        h(
          'span',
          { class: `live live-${state.live}`, testid: 'live', hidden: state.live === 'off' },
          state.live === 'connected' ? t('live.connected') : t('live.reconnecting'),
        ),
        supervising()
          ? h(
              'button',
              {
                type: 'button',
                class: 'button button-quiet',
                testid: 'nav-officers',
                onclick: () => go('#/officers'),
              },
              t('accounts.nav'),
            )
          : null,
        h(
          'a',
          { href: '#/rights', class: 'button button-quiet', testid: 'rights-nav' },
          t('rights.nav'),
        ),
        h(
          'button',
          { type: 'button', class: 'button button-quiet', testid: 'logout', onclick: logout },
          t('login.logout'),
        ),
      )
    : null;
  return h(
    'header',
    { class: 'topbar' },
    h(
      'div',
      { class: 'brand' },
      h('span', { class: 'brand-name' }, t('app.name')),
      h('span', { class: 'brand-subtitle' }, t('app.subtitle')),
    ),
    h('div', { class: 'topbar-tools' }, officer, switcher),
  );
}

function noticeView() {
  const notice = state.notice;
  const area = h('div', {
    class: 'notice-area',
    testid: 'notice',
    role: 'status',
    'aria-live': 'polite',
  });
  if (!notice) return area;
  area.setAttribute('data-kind', notice.kind);
  area.append(
    h(
      'div',
      {
        class: `notice notice-${notice.kind}`,
        role: notice.kind === 'error' ? 'alert' : null,
        testid: notice.kind === 'error' ? 'error-message' : 'success-message',
      },
      h(
        'div',
        { class: 'notice-text' },
        h('p', {}, t(notice.key, notice.params)),
        (notice.fields ?? []).map((path) =>
          h('p', { class: 'notice-field' }, t('errors.field', { path })),
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'notice-close',
          'aria-label': t('feedback.dismiss'),
          testid: 'notice-dismiss',
          onclick: () => {
            state.notice = null;
            render();
          },
        },
        '×',
      ),
    ),
  );
  return area;
}

/** A labelled control; `hideLabel` when a heading just above already says what it is. */
function field(label, control, hideLabel = false) {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: hideLabel ? 'field-label visually-hidden' : 'field-label' }, label),
    control,
  );
}

function loginView() {
  return h(
    'section',
    { class: 'card login-card', 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, t('login.title')),
    h('p', { class: 'muted' }, t('login.intro')),
    h(
      'form',
      { class: 'stack', onsubmit: submitLogin, novalidate: true },
      field(
        t('login.username'),
        h('input', {
          type: 'text',
          name: 'username',
          autocomplete: 'username',
          autocapitalize: 'none',
          spellcheck: 'false',
          dir: 'ltr',
          required: true,
          testid: 'login-username',
          value: state.login.username,
          oninput: (event) => {
            state.login.username = event.target.value;
          },
        }),
      ),
      field(
        t('login.password'),
        h('input', {
          type: 'password',
          name: 'password',
          autocomplete: 'current-password',
          dir: 'ltr',
          required: true,
          testid: 'login-password',
          value: state.login.password,
          oninput: (event) => {
            state.login.password = event.target.value;
          },
        }),
      ),
      h(
        'button',
        {
          type: 'submit',
          class: 'button button-primary',
          testid: 'login-submit',
          disabled: state.busy,
        },
        t('login.submit'),
      ),
    ),
  );
}

function priorityBadge(priority) {
  const level = ['critical', 'high', 'normal'].includes(priority?.level)
    ? priority.level
    : 'normal';
  const reasons = (Array.isArray(priority?.reasons) ? priority.reasons : [])
    .map((reason) => tOr(`priority.reasons.${reason}`, reason))
    .join(' · ');
  return h(
    'span',
    {
      class: `badge priority priority-${level}`,
      title: reasons || null,
      'data-level': level,
    },
    t(`priority.${level}`),
  );
}

/** Why an officer should look twice at a case (`flood`: the number sent too much); none for most. */
function flagBadges(flags) {
  return (Array.isArray(flags) ? flags : []).map((flag) =>
    h(
      'span',
      {
        class: `badge flag flag-${flag}`,
        title: tOr(`flags.${flag}_hint`, ''),
        testid: `flag-${flag}`,
      },
      tOr(`flags.${flag}`, flag),
    ),
  );
}

function statusBadge(status, testid) {
  return h(
    'span',
    { class: `badge status status-${status}`, testid, 'data-status': status },
    tOr(`status.${status}`, status),
  );
}

/** A waiting time the 30-second timer keeps current without rebuilding the page. */
function waitingView(seconds, fetchedAt) {
  const base = Number(seconds) || 0;
  return h(
    'span',
    {
      class: 'waiting',
      'data-waiting-seconds': String(base),
      'data-fetched-at': String(fetchedAt),
    },
    formatWaiting(base + (Date.now() - fetchedAt) / 1000),
  );
}

function refreshWaiting() {
  for (const element of document.querySelectorAll('[data-waiting-seconds]')) {
    const base = Number(element.getAttribute('data-waiting-seconds')) || 0;
    const fetchedAt = Number(element.getAttribute('data-fetched-at')) || Date.now();
    element.textContent = formatWaiting(base + (Date.now() - fetchedAt) / 1000);
  }
}

function childSummary(child) {
  const sex = child?.sex === 'boy' || child?.sex === 'girl' ? t(`child.sex.${child.sex}`) : '';
  return h(
    'div',
    { class: 'child-summary' },
    data(child?.fullName ?? '', { class: 'child-name' }),
    h('span', { class: 'muted' }, [formatAge(child?.age), sex].filter(Boolean).join(' · ')),
  );
}

function queueView() {
  const tabs = h(
    'div',
    { class: 'tabs', role: 'tablist', 'aria-label': t('queue.tabs_label') },
    queueTabs().map((tab) =>
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          class: 'tab',
          testid: `tab-${tab}`,
          'aria-selected': tab === state.tab ? 'true' : 'false',
          onclick: () => go(`#/queue/${tab}`),
        },
        tab === NATIONAL_TAB ? t('national.tab') : t(`status.${tab}`),
      ),
    ),
  );

  let content;
  if (!state.casesLoaded) content = h('p', { class: 'muted' }, t('app.loading'));
  else if (state.cases.length === 0) {
    content = h('p', { class: 'empty', testid: 'queue-empty' }, t('queue.empty'));
  } else {
    const head = h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['reference', 'priority', 'child', 'last_seen', 'waiting', 'assigned'].map((column) =>
          h('th', { scope: 'col' }, t(`queue.${column}`)),
        ),
      ),
    );
    const rows = state.cases.map((summary) => {
      const open = () => go(`#/case/${encodeURIComponent(summary.id)}`);
      const city = summary.lastSeen?.city;
      return h(
        'tr',
        {
          class: `queue-row row-${summary.priority?.level ?? 'normal'}`,
          testid: `queue-row-${summary.reference}`,
          onclick: open,
        },
        h(
          'td',
          {},
          h(
            'a',
            {
              href: `#/case/${encodeURIComponent(summary.id)}`,
              class: 'reference',
              'aria-label': t('queue.open', { reference: summary.reference }),
            },
            data(summary.reference, { dir: 'ltr' }),
          ),
        ),
        h('td', {}, priorityBadge(summary.priority), flagBadges(summary.flags)),
        h('td', {}, childSummary(summary.child)),
        h(
          'td',
          {},
          h(
            'div',
            { class: 'stack-tight' },
            h('span', {}, formatDateTime(summary.lastSeen?.at)),
            city
              ? data(city, { class: 'muted' })
              : h('span', { class: 'muted' }, t('child.unknown_city')),
          ),
        ),
        h('td', {}, waitingView(summary.waitingSeconds, state.casesFetchedAt)),
        h(
          'td',
          {},
          summary.assignedTo
            ? data(summary.assignedTo, { dir: 'ltr' })
            : h('span', { class: 'muted' }, t('queue.unassigned')),
        ),
      );
    });
    content = h(
      'div',
      { class: 'table-wrap' },
      h('table', { class: 'queue', testid: 'queue-table' }, head, h('tbody', {}, rows)),
    );
  }

  return h(
    'section',
    { class: 'queue-view', 'aria-labelledby': 'queue-title' },
    h(
      'div',
      { class: 'section-head' },
      h('h1', { id: 'queue-title' }, t('queue.title')),
      state.casesLoaded
        ? h(
            'span',
            { class: 'muted', testid: 'queue-count' },
            t('queue.count', { count: state.cases.length }),
          )
        : null,
    ),
    tabs,
    state.tab === NATIONAL_TAB
      ? h('p', { class: 'muted', testid: 'national-intro' }, t('national.intro'))
      : null,
    content,
  );
}

function valueOrMissing(value) {
  if (value === null || value === undefined || value === '') {
    return h('span', { class: 'muted' }, t('case.not_given'));
  }
  if (value instanceof Node) return value;
  return data(String(value), { class: 'answer' });
}

function definitions(rows) {
  return h(
    'dl',
    { class: 'answers' },
    rows.map(([label, value, testid]) =>
      h(
        'div',
        { class: 'answer-row', testid },
        h('dt', {}, label),
        h('dd', {}, valueOrMissing(value)),
      ),
    ),
  );
}

function yesNo(value) {
  if (value === true) return t('case.yes');
  if (value === false) return t('case.no');
  return null;
}

function panel(titleKey, testid, ...content) {
  return h(
    'section',
    { class: 'panel', testid },
    h('h2', { class: 'panel-title' }, t(titleKey)),
    content,
  );
}

function placeView(lastSeen) {
  const place = lastSeen?.place;
  const parts = [];
  if (place?.kind === 'pin') {
    if (place.name) parts.push(data(place.name, { class: 'answer' }));
    // Coordinates read left to right in every language.
    const coordinates = `${Number(place.latitude).toFixed(5)}, ${Number(place.longitude).toFixed(5)}`;
    parts.push(
      h(
        'span',
        { class: 'muted coordinates' },
        t('case.fields.pin'),
        ' ',
        data(coordinates, { dir: 'ltr' }),
      ),
    );
  } else if (place?.kind === 'description') {
    parts.push(data(place.text, { class: 'answer' }));
  }
  const mapUrl = httpsUrl(lastSeen?.mapUrl);
  if (mapUrl) {
    parts.push(
      h(
        'a',
        {
          href: mapUrl,
          target: '_blank',
          rel: 'noopener noreferrer',
          class: 'map-link',
          testid: 'map-link',
        },
        t('case.fields.map'),
      ),
    );
  }
  return parts.length > 0 ? h('div', { class: 'stack-tight' }, parts) : null;
}

function photoView(detail) {
  const url = sameOriginUrl(detail.photoUrl);
  if (!url) return h('p', { class: 'muted', testid: 'no-photo' }, t('case.no_photo'));
  const image = h('img', {
    src: url,
    class: 'photo',
    testid: 'case-photo',
    alt: t('case.photo_alt', { name: detail.child?.fullName ?? '' }),
    decoding: 'async',
  });
  image.addEventListener('error', () => {
    image.replaceWith(h('p', { class: 'muted' }, t('case.no_photo')));
  });
  return image;
}

/** A voice note the family sent, played from the officers-only audio route. */
function voicePlayer(url, testid) {
  const source = sameOriginUrl(url);
  if (!source) return null;
  return h(
    'span',
    { class: 'voice-note' },
    h('span', { class: 'voice-note-label' }, t('case.voice_note')),
    h('audio', { controls: true, preload: 'none', src: source, testid }),
  );
}

/** A free-text answer: what the family typed, or the voice note they answered it with. */
function spoken(detail, answer, typed) {
  const notes = Array.isArray(detail.voiceNotes) ? detail.voiceNotes : [];
  const note = notes.find((candidate) => candidate.answer === answer);
  if (typed !== null && typed !== undefined && typed !== '') return typed;
  return note ? voicePlayer(note.audioUrl, `voice-${answer}`) : typed;
}

function caseHeader(detail) {
  const status = detail.status;
  return h(
    'div',
    { class: 'case-head' },
    h(
      'div',
      { class: 'case-title' },
      h('h1', { testid: 'case-title' }, t('case.title', { reference: detail.reference })),
      h(
        'div',
        { class: 'badges' },
        statusBadge(status, 'case-status'),
        priorityBadge(detail.priority),
        flagBadges(detail.flags),
        (detail.priority?.reasons ?? []).map((reason) =>
          h('span', { class: 'chip' }, tOr(`priority.reasons.${reason}`, reason)),
        ),
      ),
    ),
    h(
      'dl',
      { class: 'case-facts' },
      fact(t('case.created'), formatDateTime(detail.createdAt)),
      status === 'pending'
        ? fact(t('case.waiting'), waitingView(detail.waitingSeconds, state.detailFetchedAt))
        : null,
      fact(
        t('case.assigned'),
        detail.assignedTo
          ? data(detail.assignedTo, { dir: 'ltr', testid: 'case-assigned' })
          : t('queue.unassigned'),
      ),
      fact(
        t('case.official_report'),
        detail.officialReportNumber
          ? data(detail.officialReportNumber, { dir: 'ltr' })
          : t('case.none'),
      ),
      fact(t('case.language'), tOr(`lang.${detail.language}`, detail.language ?? '')),
    ),
  );
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('dt', {}, label), h('dd', {}, value));
}

function detailsColumn(detail) {
  const child = detail.child ?? {};
  const lastSeen = detail.lastSeen ?? {};
  const reporter = detail.reporter ?? {};
  const abduction = detail.abduction ?? {};
  const sex = child.sex === 'boy' || child.sex === 'girl' ? t(`child.sex.${child.sex}`) : null;
  return h(
    'div',
    { class: 'column details' },
    panel(
      'case.sections.child',
      'section-child',
      h(
        'div',
        { class: 'child-card' },
        h('div', { class: 'photo-frame' }, photoView(detail)),
        definitions([
          [t('case.fields.full_name'), child.fullName, 'child-name'],
          [t('case.fields.sex'), sex],
          [t('case.fields.age'), formatAge(child.age)],
          [
            t('case.fields.height'),
            typeof child.heightCm === 'number'
              ? t('case.fields.height_value', { cm: child.heightCm })
              : null,
          ],
          [t('case.fields.build'), spoken(detail, 'child.build', child.build)],
          [t('case.fields.hair'), spoken(detail, 'child.hair', child.hair)],
          [t('case.fields.marks'), spoken(detail, 'child.marks', child.marks)],
          [t('case.fields.clothing'), spoken(detail, 'child.clothing', child.clothing)],
          [t('case.fields.phone'), child.phone ? data(child.phone, { dir: 'ltr' }) : null],
          [t('case.fields.health'), spoken(detail, 'child.health', child.health)],
        ]),
      ),
    ),
    panel(
      'case.sections.last_seen',
      'section-last-seen',
      definitions([
        [t('case.fields.last_seen_at'), formatDateTime(lastSeen.at)],
        [t('case.fields.place'), placeView(lastSeen)],
        [t('case.fields.city'), lastSeen.city],
      ]),
    ),
    panel(
      'case.sections.circumstances',
      'section-circumstances',
      definitions(
        [
          [t('case.fields.circumstances'), spoken(detail, 'circumstances', detail.circumstances)],
          [
            t('case.fields.abduction'),
            abduction.suspected
              ? tOr(`case.abduction.${abduction.suspected}`, abduction.suspected)
              : null,
          ],
          abduction.suspected === 'yes'
            ? [t('case.fields.suspect'), spoken(detail, 'abduction.details', abduction.details)]
            : null,
          [t('case.fields.previous'), yesNo(child.previousDisappearances)],
        ].filter(Boolean),
      ),
    ),
    panel(
      'case.sections.context',
      'section-context',
      definitions([
        [t('case.fields.hobbies'), spoken(detail, 'child.hobbies', child.hobbies)],
        [t('case.fields.problems'), spoken(detail, 'child.problems', child.problems)],
        [t('case.fields.places'), spoken(detail, 'child.places', child.places)],
        [t('case.fields.friends'), spoken(detail, 'child.friends', child.friends)],
      ]),
    ),
    panel(
      'case.sections.reporter',
      'section-reporter',
      definitions([
        [t('case.fields.reporter_name'), reporter.name],
        [
          t('case.fields.relationship'),
          reporter.relationship
            ? tOr(`case.relationship.${reporter.relationship}`, reporter.relationship)
            : null,
        ],
        [
          t('case.fields.reporter_address'),
          reporter.address ? data(reporter.address, { dir: 'ltr' }) : null,
        ],
      ]),
    ),
    historyPanel(detail),
  );
}

function historyPanel(detail) {
  const history = Array.isArray(detail.history) ? detail.history : [];
  return panel(
    'case.sections.history',
    'section-history',
    detail.confirmation
      ? h(
          'p',
          { class: 'confirmation' },
          t('case.confirmed_by', {
            officer: detail.confirmation.by ?? '',
            at: formatDateTime(detail.confirmation.at),
          }),
        )
      : null,
    detail.closure
      ? h(
          'p',
          { class: 'closure', testid: 'case-closure' },
          t('case.closure', {
            reason: tOr(
              `actions.reject_reasons.${detail.closure.reason}`,
              tOr(`actions.resolve_reasons.${detail.closure.reason}`, detail.closure.reason ?? ''),
            ),
            officer: detail.closure.by ?? '',
            at: formatDateTime(detail.closure.at),
          }),
        )
      : null,
    h(
      'ol',
      { class: 'history' },
      history.map((entry) =>
        h(
          'li',
          {},
          t('case.history_entry', {
            at: formatDateTime(entry.at),
            status: tOr(`status.${entry.status}`, entry.status ?? ''),
            by: entry.by === 'family' ? t('case.by_family') : (entry.by ?? ''),
          }),
        ),
      ),
    ),
  );
}

function conversationPanel(detail, open) {
  const messages = (Array.isArray(detail.messages) ? [...detail.messages] : []).sort(
    (a, b) => new Date(a.at).getTime() - new Date(b.at).getTime(),
  );
  const list =
    messages.length === 0
      ? h('p', { class: 'muted', testid: 'conversation-empty' }, t('conversation.empty'))
      : h(
          'ol',
          { class: 'messages' },
          messages.map((message) => {
            const fromOfficer = message.from === 'officer';
            const who = fromOfficer
              ? message.officer
                ? t('conversation.officer', { officer: message.officer })
                : t('conversation.officer_unnamed')
              : t('conversation.family');
            return h(
              'li',
              {
                class: `message ${fromOfficer ? 'from-officer' : 'from-family'}`,
                'data-from': fromOfficer ? 'officer' : 'family',
              },
              h(
                'div',
                { class: 'message-meta' },
                h('span', { class: 'message-who' }, who),
                h('time', { datetime: message.at ?? '' }, formatDateTime(message.at)),
              ),
              message.text ? h('p', { class: 'message-text', dir: 'auto' }, message.text) : null,
              message.audioUrl ? voicePlayer(message.audioUrl, 'message-voice') : null,
            );
          }),
        );
  return panel(
    'case.sections.conversation',
    'section-conversation',
    h('div', { class: 'conversation', testid: 'conversation' }, list),
    open
      ? h(
          'form',
          {
            class: 'stack',
            onsubmit: (event) => {
              event.preventDefault();
              void sendMessage();
            },
          },
          field(
            t('conversation.message_label'),
            h('textarea', {
              rows: '3',
              dir: 'auto',
              maxlength: '2000',
              testid: 'message-text',
              value: state.drafts.message,
              oninput: (event) => {
                state.drafts.message = event.target.value;
              },
            }),
          ),
          h(
            'button',
            {
              type: 'submit',
              class: 'button button-primary',
              testid: 'message-send',
              disabled: state.busy,
            },
            t('conversation.send'),
          ),
        )
      : null,
  );
}

function notesPanel(detail) {
  const notes = Array.isArray(detail.notes) ? detail.notes : [];
  return panel(
    'case.sections.notes',
    'section-notes',
    notes.length === 0
      ? h('p', { class: 'muted' }, t('notes.empty'))
      : h(
          'ol',
          { class: 'notes', testid: 'notes' },
          notes.map((note) =>
            h(
              'li',
              { class: 'note' },
              h('p', { class: 'note-text', dir: 'auto' }, note.text ?? ''),
              h(
                'p',
                { class: 'muted note-meta' },
                t('notes.entry', { officer: note.officer ?? '', at: formatDateTime(note.at) }),
              ),
            ),
          ),
        ),
    h(
      'form',
      {
        class: 'stack',
        onsubmit: (event) => {
          event.preventDefault();
          void addNote();
        },
      },
      field(
        t('notes.label'),
        h('textarea', {
          rows: '2',
          dir: 'auto',
          maxlength: '4000',
          testid: 'note-text',
          value: state.drafts.note,
          oninput: (event) => {
            state.drafts.note = event.target.value;
          },
        }),
      ),
      h(
        'button',
        { type: 'submit', class: 'button', testid: 'note-add', disabled: state.busy },
        t('notes.add'),
      ),
    ),
  );
}

function reasonForm({
  titleKey,
  reasons,
  reasonsKey,
  draft,
  selectId,
  buttonId,
  buttonKey,
  onSubmit,
  danger,
}) {
  const button = h(
    'button',
    {
      type: 'submit',
      class: `button ${danger ? 'button-danger' : ''}`,
      testid: buttonId,
      disabled: state.busy || !reasons.includes(state.drafts[draft]),
    },
    t(buttonKey),
  );
  const select = h(
    'select',
    {
      testid: selectId,
      onchange: (event) => {
        state.drafts[draft] = event.target.value;
        button.disabled = state.busy || !reasons.includes(state.drafts[draft]);
      },
    },
    h('option', { value: '' }, t('actions.choose_reason')),
    reasons.map((reason) =>
      h(
        'option',
        { value: reason, selected: state.drafts[draft] === reason },
        t(`${reasonsKey}.${reason}`),
      ),
    ),
  );
  return h(
    'form',
    {
      class: 'action-block',
      onsubmit: (event) => {
        event.preventDefault();
        void onSubmit();
      },
    },
    h('h3', {}, t(titleKey)),
    h('div', { class: 'inline-form' }, field(t(titleKey), select, true), button),
  );
}

function confirmForm() {
  const allTicked = () => CHECKLIST.every(([box]) => state.drafts.checklist[box]);
  const button = h(
    'button',
    {
      type: 'submit',
      class: 'button button-primary',
      testid: 'confirm-submit',
      disabled: state.busy || !allTicked(),
    },
    t('actions.confirm'),
  );
  return h(
    'form',
    {
      class: 'action-block',
      onsubmit: (event) => {
        event.preventDefault();
        void confirmCase();
      },
    },
    h('h3', {}, t('actions.confirm_title')),
    h(
      'fieldset',
      { class: 'checklist' },
      h('legend', {}, t('actions.confirm_intro')),
      CHECKLIST.map(([box]) =>
        h(
          'label',
          { class: 'check' },
          h('input', {
            type: 'checkbox',
            testid: `confirm-${box}`,
            checked: state.drafts.checklist[box],
            onchange: (event) => {
              state.drafts.checklist[box] = event.target.checked;
              button.disabled = state.busy || !allTicked();
            },
          }),
          h('span', {}, t(`actions.checklist.${box}`)),
        ),
      ),
    ),
    button,
  );
}

function actionsPanel(detail) {
  const status = detail.status;
  const blocks = [];
  const quick = [];
  if (CLAIMABLE.includes(status)) {
    quick.push(
      h(
        'button',
        {
          type: 'button',
          class: 'button button-primary',
          testid: 'claim',
          disabled: state.busy,
          onclick: claim,
        },
        t('actions.claim'),
      ),
    );
  }
  if (RELEASABLE.includes(status)) {
    quick.push(
      h(
        'button',
        {
          type: 'button',
          class: 'button',
          testid: 'release',
          disabled: state.busy,
          onclick: release,
        },
        t('actions.release'),
      ),
    );
  }
  if (quick.length > 0) blocks.push(h('div', { class: 'quick-actions' }, quick));
  {
    const current = state.drafts.reportNumber ?? detail.officialReportNumber ?? '';
    blocks.push(
      h(
        'form',
        {
          class: 'action-block',
          onsubmit: (event) => {
            event.preventDefault();
            void saveReportNumber();
          },
        },
        h(
          'div',
          { class: 'inline-form' },
          field(
            t('actions.official_report_label'),
            h('input', {
              type: 'text',
              dir: 'ltr',
              maxlength: '60',
              testid: 'report-number',
              value: current,
              oninput: (event) => {
                state.drafts.reportNumber = event.target.value;
              },
            }),
          ),
          h(
            'button',
            { type: 'submit', class: 'button', testid: 'report-save', disabled: state.busy },
            t('actions.save'),
          ),
        ),
      ),
    );
  }
  if (REASSIGNABLE.includes(status) && REASSIGNING_ROLES.includes(state.officer?.role)) {
    blocks.push(
      h(
        'form',
        {
          class: 'action-block',
          testid: 'reassign',
          onsubmit: (event) => {
            event.preventDefault();
            void reassignCase();
          },
        },
        h('h3', {}, t('actions.reassign_title')),
        h(
          'div',
          { class: 'inline-form' },
          field(
            t('actions.reassign_label'),
            h('input', {
              type: 'text',
              dir: 'ltr',
              maxlength: '40',
              autocomplete: 'off',
              autocapitalize: 'none',
              spellcheck: 'false',
              testid: 'reassign-username',
              value: state.drafts.reassign,
              oninput: (event) => {
                state.drafts.reassign = event.target.value;
              },
            }),
          ),
          h(
            'button',
            { type: 'submit', class: 'button', testid: 'reassign-submit', disabled: state.busy },
            t('actions.reassign'),
          ),
        ),
      ),
    );
  }
  if (detail.region === null && supervising()) blocks.push(regionForm());
  if (CONFIRMABLE.includes(status)) blocks.push(confirmForm());
  if (RESOLVABLE.includes(status)) {
    blocks.push(
      reasonForm({
        titleKey: 'actions.resolve_title',
        reasons: RESOLVE_REASONS,
        reasonsKey: 'actions.resolve_reasons',
        draft: 'resolve',
        selectId: 'resolve-reason',
        buttonId: 'resolve-submit',
        buttonKey: 'actions.resolve',
        onSubmit: resolveCase,
      }),
    );
  }
  if (REJECTABLE.includes(status)) {
    blocks.push(
      reasonForm({
        titleKey: 'actions.reject_title',
        reasons: REJECT_REASONS,
        reasonsKey: 'actions.reject_reasons',
        draft: 'reject',
        selectId: 'reject-reason',
        buttonId: 'reject-submit',
        buttonKey: 'actions.reject',
        onSubmit: rejectCase,
        danger: true,
      }),
    );
  }
  return panel('case.sections.actions', 'section-actions', blocks);
}

// ---------------------------------------------------------------- national queue, accounts

/** Gives a case of the national queue its region (supervisors; audited by the service). */
function regionForm() {
  const chosen = state.drafts.region ?? '';
  return h(
    'div',
    { class: 'action-block', testid: 'region-form' },
    h('h3', {}, t('national.set_title')),
    h('p', { class: 'muted' }, t('national.set_hint')),
    field(
      t('national.region_label'),
      h(
        'select',
        {
          testid: 'region-select',
          onchange: (event) => {
            state.drafts.region = event.target.value;
          },
        },
        h('option', { value: '', selected: chosen === '' }, t('national.choose')),
        REGIONS.map((region) =>
          h(
            'option',
            { value: region, selected: chosen === region },
            tOr(`region.${region}`, region),
          ),
        ),
      ),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'button button-primary',
        testid: 'region-submit',
        disabled: state.busy,
        onclick: setRegion,
      },
      t('national.set'),
    ),
  );
}

function setRegion() {
  const region = state.drafts.region ?? '';
  if (!REGIONS.includes(region)) {
    state.notice = { kind: 'error', key: 'national.choose_first' };
    render();
    return;
  }
  return caseAction({
    path: '/region',
    body: { region },
    success: 'national.done',
    successParams: { region: tOr(`region.${region}`, region) },
    after: () => {
      state.drafts.region = '';
    },
  });
}

async function fetchAccounts() {
  const result = await api('GET', '/api/officers');
  if (!result.ok) {
    if (result.status === 401) return sessionLost();
    showError(result);
    return;
  }
  state.accounts.officers = Array.isArray(result.data?.officers) ? result.data.officers : [];
  state.accounts.loaded = true;
}

/** One unlock call (an account or an address), then the list again. */
async function unlock(path, body, successParams) {
  if (state.busy) return;
  state.busy = true;
  state.notice = null;
  render();
  const result = await api('POST', path, body);
  state.busy = false;
  if (result.ok) {
    showSuccess(
      result.data?.unlocked ? 'accounts.unlocked' : 'accounts.nothing_held',
      successParams,
    );
  } else if (result.status === 401) {
    sessionLost();
    return;
  } else {
    showError(result);
  }
  await fetchAccounts();
  render();
}

function unlockAddress() {
  const address = state.accounts.address.trim();
  if (address === '') {
    state.notice = { kind: 'error', key: 'errors.empty_text' };
    render();
    return;
  }
  return unlock('/api/login-locks/unlock', { address }, { name: address });
}

function officersView() {
  let content;
  if (!state.accounts.loaded) content = h('p', { class: 'muted' }, t('app.loading'));
  else if (state.accounts.officers.length === 0) {
    content = h('p', { class: 'empty' }, t('accounts.empty'));
  } else {
    const head = h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['username', 'role', 'region', 'login', 'action'].map((column) =>
          h('th', { scope: 'col' }, t(`accounts.${column}`)),
        ),
      ),
    );
    const rows = state.accounts.officers.map((account) =>
      h(
        'tr',
        { testid: `account-${account.username}` },
        h('td', {}, data(account.username, { dir: 'ltr' })),
        h('td', {}, tOr(`role.${account.role}`, account.role)),
        h('td', {}, tOr(`region.${account.region}`, account.region)),
        h(
          'td',
          {},
          account.login?.slowed
            ? t('accounts.slowed', { failures: account.login.failures })
            : account.login?.failures
              ? t('accounts.failures', { failures: account.login.failures })
              : h('span', { class: 'muted' }, t('accounts.clear')),
        ),
        h(
          'td',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'button',
              testid: `unlock-${account.username}`,
              disabled: state.busy || !account.login?.failures,
              onclick: () =>
                unlock(
                  `/api/officers/${encodeURIComponent(account.username)}/unlock`,
                  {},
                  { name: account.username },
                ),
            },
            t('accounts.unlock'),
          ),
        ),
      ),
    );
    content = h(
      'div',
      { class: 'table-wrap' },
      h('table', { class: 'queue', testid: 'accounts-table' }, head, h('tbody', {}, rows)),
    );
  }
  const addressForm = h(
    'div',
    { class: 'action-block', testid: 'address-unlock' },
    h('h2', {}, t('accounts.address_title')),
    h('p', { class: 'muted' }, t('accounts.address_hint')),
    field(
      t('accounts.address_label'),
      h('input', {
        type: 'text',
        dir: 'ltr',
        testid: 'address-input',
        value: state.accounts.address,
        oninput: (event) => {
          state.accounts.address = event.target.value;
        },
      }),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'button',
        testid: 'address-submit',
        disabled: state.busy,
        onclick: unlockAddress,
      },
      t('accounts.unlock'),
    ),
  );
  return h(
    'section',
    { class: 'queue-view', 'aria-labelledby': 'accounts-title' },
    h(
      'div',
      { class: 'section-head' },
      h('h1', { id: 'accounts-title' }, t('accounts.title')),
      h(
        'button',
        { type: 'button', class: 'button button-quiet', onclick: () => go(`#/queue/${state.tab}`) },
        t('accounts.back'),
      ),
    ),
    h('p', { class: 'muted' }, t('accounts.intro')),
    content,
    addressForm,
  );
}

function caseView() {
  const back = h(
    'a',
    { href: `#/queue/${state.tab}`, class: 'back-link', testid: 'back' },
    t('case.back'),
  );
  const detail = state.detail;
  if (!detail) {
    return h(
      'section',
      { class: 'case-view' },
      back,
      h('p', { class: 'muted' }, t('case.loading')),
    );
  }
  const conversationOpen = CONVERSATION_OPEN.includes(detail.status);
  return h(
    'article',
    { class: 'case-view', testid: 'case-view', 'data-case-id': detail.id },
    back,
    caseHeader(detail),
    h(
      'div',
      { class: 'case-grid' },
      detailsColumn(detail),
      h(
        'div',
        { class: 'column work' },
        alertsPanel(detail),
        sightingsPanel(detail),
        actionsPanel(detail),
        conversationPanel(detail, conversationOpen),
        rightsPanel(),
        notesPanel(detail),
      ),
    ),
  );
}

// ---------------------------------------------------------------- alerts and sightings

/** The alert still in play for the open case (proposed or active), if any. */
function openAlert() {
  return state.alerting.alerts.find(
    (alert) => alert.state === 'proposed' || alert.state === 'active',
  );
}

/** The backup poll: progress of an active alert, or everything while the live stream is down. */
function pollAlerts() {
  const id = state.openCaseId;
  if (!state.officer || state.view !== 'case' || !id) return;
  const streamDown = !events || events.readyState !== EventSource.OPEN;
  if (openAlert()?.state === 'active' || streamDown) {
    pendingRefresh.alertCaseIds.add(id);
    if (streamDown) pendingRefresh.sightingCaseIds.add(id);
    if (refreshTimer === null) {
      refreshTimer = window.setTimeout(() => {
        refreshTimer = null;
        void runRefresh();
      }, 0);
    }
  }
}

/** Keeps a failed alert call for display beside the alert: the server's sentence if it gave one. */
function alertFailed(result) {
  const known = ['bad_request', 'csrf', 'not_found', 'conflict', 'too_many_attempts', 'network'];
  const fields = (result.fields ?? [])
    .map((field) => (field && typeof field.path === 'string' ? field.path : ''))
    .filter((path) => path !== '');
  state.alerting.error = {
    message: result.message ?? null,
    key: `errors.${known.includes(result.code) ? result.code : 'internal'}`,
    fields,
  };
}

function alertLocalError(key) {
  state.alerting.error = { message: null, key, fields: [] };
  render();
}

/**
 * Whether a text carries a phone number (8 digits or more, Arabic-Indic digits
 * too): the same rule as the server's (src/core/alert/alert.ts), which still decides.
 */
function containsPhoneNumber(text) {
  const digits = text
    .replace(/[٠-٩]/g, (d) => String(d.charCodeAt(0) - 0x0660))
    .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
  return /(?:\+|00)?\d(?:[\s.-]?\d){7,}/.test(digits);
}

/** A number typed by the officer ("33,57" as well as "33.57"), or null. */
function parseDecimal(value) {
  const text = String(value ?? '')
    .trim()
    .replace(',', '.');
  if (text === '') return null;
  const number = Number(text);
  return Number.isFinite(number) ? number : null;
}

async function openAlertForm() {
  const id = state.openCaseId;
  if (!id || state.busy) return;
  state.busy = true;
  state.alerting.error = null;
  state.notice = null;
  render();
  const result = await api('POST', `/api/cases/${encodeURIComponent(id)}/alerts/preview`, {});
  state.busy = false;
  if (id !== state.openCaseId) return;
  if (!result.ok) {
    if (result.status === 401) return sessionLost();
    alertFailed(result);
    render();
    return;
  }
  const preview = result.data ?? {};
  const centre = preview.centre;
  const stages = Array.isArray(preview.stages) ? preview.stages : [];
  state.alerting.form = {
    centre: {
      lat: typeof centre?.lat === 'number' ? String(centre.lat) : '',
      lon: typeof centre?.lon === 'number' ? String(centre.lon) : '',
    },
    stages: stages.map((stage) => ({
      afterMinutes: String(stage.afterMinutes ?? ''),
      radiusKm: String(stage.radiusKm ?? ''),
    })),
    windowHours: typeof preview.windowHours === 'number' ? String(preview.windowHours) : '',
    texts: Object.fromEntries(
      ALERT_TEXT_LANGUAGES.map((language) => [language, String(preview.texts?.[language] ?? '')]),
    ),
    content: preview.content ?? null,
    // The officer starts reviewing in the console's language.
    textLanguage: ALERT_TEXT_LANGUAGES.includes(state.language) ? state.language : 'fr',
  };
  render();
}

function closeAlertForm() {
  state.alerting.form = null;
  state.alerting.error = null;
  render();
}

async function submitAlert() {
  const id = state.openCaseId;
  const form = state.alerting.form;
  if (!id || !form || state.busy) return;
  const body = {};
  const lat = parseDecimal(form.centre.lat);
  const lon = parseDecimal(form.centre.lon);
  const centreTyped = form.centre.lat.trim() !== '' || form.centre.lon.trim() !== '';
  if (centreTyped) {
    if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      return alertLocalError('alerts.errors.centre');
    }
    body.centre = { lat, lon };
  }
  const stages = form.stages.map((stage) => ({
    afterMinutes: parseDecimal(stage.afterMinutes),
    radiusKm: parseDecimal(stage.radiusKm),
  }));
  if (stages.length === 0 || stages.some((s) => s.afterMinutes === null || s.radiusKm === null)) {
    return alertLocalError('alerts.errors.stages');
  }
  body.stages = stages;
  const windowHours = parseDecimal(form.windowHours);
  if (windowHours === null) return alertLocalError('alerts.errors.window');
  body.windowHours = windowHours;
  body.texts = Object.fromEntries(
    ALERT_TEXT_LANGUAGES.map((language) => [language, form.texts[language].trim()]),
  );
  if (ALERT_TEXT_LANGUAGES.some((language) => body.texts[language] === '')) {
    return alertLocalError('alerts.errors.empty_text');
  }
  // The server refuses these too; saying which language here saves the officer a search.
  const withPhone = ALERT_TEXT_LANGUAGES.find((language) =>
    containsPhoneNumber(body.texts[language]),
  );
  if (withPhone) {
    form.textLanguage = withPhone;
    state.alerting.error = {
      message: null,
      key: 'alerts.errors.phone',
      params: { language: t(`lang.${withPhone}`) },
      fields: [],
    };
    render();
    return;
  }

  state.busy = true;
  state.alerting.error = null;
  state.notice = null;
  render();
  const result = await api('POST', `/api/cases/${encodeURIComponent(id)}/alerts`, body);
  state.busy = false;
  if (id !== state.openCaseId) return;
  if (result.ok) {
    state.alerting.form = null;
    showSuccess('alerts.feedback.proposed');
  } else if (result.status === 401) {
    return sessionLost();
  } else alertFailed(result);
  await Promise.all([fetchAlerts(id), fetchCase(id)]);
  render();
}

/** Approve, cancel or extend an alert of the open case, then re-read the alert and the case. */
async function alertAction(alertId, action, body, successKey) {
  const id = state.openCaseId;
  if (!id || state.busy) return;
  state.busy = true;
  state.alerting.error = null;
  state.alerting.confirm = null;
  state.notice = null;
  render();
  const result = await api(
    'POST',
    `/api/alerts/${encodeURIComponent(alertId)}/${action}`,
    body ?? {},
  );
  state.busy = false;
  if (id !== state.openCaseId) return;
  if (result.ok) showSuccess(successKey);
  else if (result.status === 401) return sessionLost();
  else alertFailed(result);
  await Promise.all([fetchAlerts(id), fetchCase(id), fetchCases()]);
  render();
}

function askAlertConfirmation(alertId, action) {
  state.alerting.confirm = { alertId, action };
  state.alerting.error = null;
  render();
}

function extendAlert(alertId) {
  const hours = parseDecimal(state.alerting.extendHours);
  if (hours === null || !Number.isInteger(hours) || hours < 1 || hours > 24) {
    return alertLocalError('alerts.errors.extend_hours');
  }
  return alertAction(alertId, 'extend', { hours }, 'alerts.feedback.extended');
}

function formatNumber(value, digits = 1) {
  return new Intl.NumberFormat(INTL_LOCALES[state.language], {
    maximumFractionDigits: digits,
  }).format(value);
}

/** An OpenStreetMap link for a point, built from numbers only (never from text). */
function pointMapUrl(lat, lon) {
  const latitude = Number(lat);
  const longitude = Number(lon);
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return null;
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=15/${latitude}/${longitude}`;
}

function mapLink(url, testid, key = 'case.fields.map') {
  if (!url) return null;
  return h(
    'a',
    { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'map-link', testid },
    t(key),
  );
}

function alertErrorView() {
  const error = state.alerting.error;
  if (!error) return null;
  return h(
    'div',
    { class: 'notice notice-error alert-error', role: 'alert', testid: 'alert-error' },
    h(
      'div',
      { class: 'notice-text' },
      h('p', {}, error.message ?? t(error.key, error.params)),
      error.fields.map((path) => h('p', { class: 'notice-field' }, t('errors.field', { path }))),
    ),
  );
}

/** What the public will see: the projection, and a reminder of what it leaves out. */
function projectionView(content, photoUrl, testid) {
  if (!content || typeof content !== 'object') return null;
  const sex =
    content.sex === 'boy' || content.sex === 'girl' ? t(`child.sex.${content.sex}`) : null;
  const lastSeen = content.lastSeen ?? {};
  const photo = content.hasPhoto ? sameOriginUrl(photoUrl) : null;
  return h(
    'div',
    { class: 'projection', testid },
    h('h4', {}, t('alerts.projection.title')),
    h(
      'div',
      { class: 'projection-body' },
      photo
        ? h('img', {
            src: photo,
            class: 'projection-photo',
            alt: t('alerts.projection.photo_alt'),
            decoding: 'async',
          })
        : null,
      definitions([
        [t('alerts.projection.first_name'), content.firstName],
        [t('case.fields.age'), formatAge(content.age)],
        [t('case.fields.sex'), sex],
        [
          t('case.fields.height'),
          typeof content.heightCm === 'number'
            ? t('case.fields.height_value', { cm: content.heightCm })
            : null,
        ],
        [t('case.fields.build'), content.build],
        [t('case.fields.hair'), content.hair],
        [t('case.fields.marks'), content.marks],
        [t('case.fields.clothing'), content.clothing],
        [t('case.fields.last_seen_at'), formatDateTime(lastSeen.at)],
        [t('case.fields.place'), lastSeen.place],
        [t('case.fields.city'), lastSeen.city],
        [t('alerts.projection.photo'), content.hasPhoto ? t('case.yes') : t('case.no')],
      ]),
    ),
    h(
      'p',
      { class: 'projection-note', testid: 'alert-projection-note' },
      t('alerts.projection.never'),
    ),
  );
}

/** One number of a stage row (minutes after approval, or radius), edited in place. */
function stageCell(stage, index, key, labelKey, min, testSuffix) {
  return h(
    'td',
    { class: 'stage-cell' },
    field(
      t(`alerts.form.${labelKey}`),
      h('input', {
        type: 'number',
        min: String(min),
        step: '1',
        inputmode: 'numeric',
        dir: 'ltr',
        testid: `alert-stage-${index}-${testSuffix}`,
        value: stage[key],
        oninput: (event) => {
          stage[key] = event.target.value;
        },
      }),
      true,
    ),
  );
}

function stageEditor(form) {
  const rows = form.stages.map((stage, index) =>
    h(
      'tr',
      {},
      h(
        'th',
        { scope: 'row', class: 'stage-cell' },
        t('alerts.form.stage_number', { number: index + 1 }),
      ),
      stageCell(stage, index, 'afterMinutes', 'after_minutes', 0, 'minutes'),
      stageCell(stage, index, 'radiusKm', 'radius_km', 1, 'radius'),
      h(
        'td',
        { class: 'stage-cell' },
        h(
          'button',
          {
            type: 'button',
            class: 'button button-quiet',
            testid: `alert-stage-${index}-remove`,
            disabled: form.stages.length <= 1,
            'aria-label': t('alerts.form.remove_stage', { number: index + 1 }),
            onclick: () => {
              form.stages.splice(index, 1);
              render();
            },
          },
          t('alerts.form.remove'),
        ),
      ),
    ),
  );
  return h(
    'fieldset',
    { class: 'alert-stages' },
    h('legend', {}, t('alerts.form.stages')),
    h('p', { class: 'muted' }, t('alerts.form.stages_help')),
    h(
      'table',
      { class: 'stage-table' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col', class: 'stage-cell' }, t('alerts.form.stage')),
          h('th', { scope: 'col', class: 'stage-cell' }, t('alerts.form.after_minutes')),
          h('th', { scope: 'col', class: 'stage-cell' }, t('alerts.form.radius_km')),
          h(
            'th',
            { scope: 'col' },
            h('span', { class: 'visually-hidden' }, t('alerts.form.remove')),
          ),
        ),
      ),
      h('tbody', {}, rows),
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'button',
        testid: 'alert-stage-add',
        disabled: form.stages.length >= ALERT_MAX_STAGES,
        onclick: () => {
          const last = form.stages[form.stages.length - 1];
          const after = (parseDecimal(last?.afterMinutes) ?? -120) + 120;
          const radius = (parseDecimal(last?.radiusKm) ?? 0) + 40;
          form.stages.push({ afterMinutes: String(after), radiusKm: String(radius) });
          render();
        },
      },
      t('alerts.form.add_stage'),
    ),
  );
}

function textEditor(form) {
  const language = form.textLanguage;
  const dir = RTL_LANGUAGES.has(language) ? 'rtl' : 'ltr';
  const preview = h(
    'div',
    { class: 'alert-preview', testid: 'alert-text-preview', lang: language, dir },
    form.texts[language],
  );
  return h(
    'fieldset',
    { class: 'alert-texts' },
    h('legend', {}, t('alerts.form.texts')),
    h('p', { class: 'muted' }, t('alerts.form.texts_help')),
    h(
      'div',
      { class: 'tabs', role: 'tablist', 'aria-label': t('alerts.form.texts') },
      ALERT_TEXT_LANGUAGES.map((option) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            class: 'tab',
            lang: option,
            dir: RTL_LANGUAGES.has(option) ? 'rtl' : 'ltr',
            testid: `alert-text-tab-${option}`,
            'aria-selected': option === language ? 'true' : 'false',
            onclick: () => {
              form.textLanguage = option;
              render();
            },
          },
          t(`lang.${option}`),
        ),
      ),
    ),
    field(
      t('alerts.form.text_label', { language: t(`lang.${language}`) }),
      h('textarea', {
        rows: '9',
        lang: language,
        dir,
        maxlength: '2000',
        class: 'alert-text',
        testid: `alert-text-${language}`,
        value: form.texts[language],
        oninput: (event) => {
          form.texts[language] = event.target.value;
          // The preview follows the pen without rebuilding the page.
          preview.textContent = event.target.value;
        },
      }),
    ),
    h('p', { class: 'field-label' }, t('alerts.form.preview')),
    preview,
  );
}

function alertFormView(form, detail) {
  const centreMap = pointMapUrl(parseDecimal(form.centre.lat), parseDecimal(form.centre.lon));
  const coordinate = (key, axis, testid) =>
    field(
      t(key),
      h('input', {
        type: 'text',
        inputmode: 'decimal',
        dir: 'ltr',
        testid,
        value: form.centre[axis],
        oninput: (event) => {
          form.centre[axis] = event.target.value;
        },
      }),
    );
  return h(
    'form',
    {
      class: 'alert-form stack',
      testid: 'alert-form',
      novalidate: true,
      onsubmit: (event) => {
        event.preventDefault();
        void submitAlert();
      },
    },
    h('h3', {}, t('alerts.form.title')),
    h(
      'fieldset',
      { class: 'alert-centre' },
      h('legend', {}, t('alerts.form.centre')),
      h('p', { class: 'muted' }, t('alerts.form.centre_help')),
      h(
        'div',
        { class: 'inline-form' },
        coordinate('alerts.form.latitude', 'lat', 'alert-centre-lat'),
        coordinate('alerts.form.longitude', 'lon', 'alert-centre-lon'),
      ),
      mapLink(centreMap, 'alert-centre-map'),
    ),
    stageEditor(form),
    field(
      t('alerts.form.window_hours'),
      h('input', {
        type: 'number',
        min: '1',
        step: '1',
        inputmode: 'numeric',
        dir: 'ltr',
        testid: 'alert-window',
        value: form.windowHours,
        oninput: (event) => {
          form.windowHours = event.target.value;
        },
      }),
    ),
    textEditor(form),
    projectionView(form.content, detail.photoUrl, 'alert-projection'),
    alertErrorView(),
    h(
      'div',
      { class: 'quick-actions' },
      h(
        'button',
        {
          type: 'submit',
          class: 'button button-primary',
          testid: 'alert-submit',
          disabled: state.busy,
        },
        t('alerts.form.submit'),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'button button-quiet',
          testid: 'alert-form-close',
          onclick: closeAlertForm,
        },
        t('alerts.form.close'),
      ),
    ),
  );
}

/** A stage delay: "90 min", "2 h", "2 h 30 min". */
function formatDelay(totalMinutes) {
  const minutes = Math.max(0, Math.round(totalMinutes));
  if (minutes < 60) return t('time.minutes', { minutes });
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0
    ? t('alerts.hours_only', { hours })
    : t('time.hours', { hours, minutes: minutes % 60 });
}

function stageDelay(afterMinutes) {
  const minutes = Number(afterMinutes) || 0;
  return minutes === 0
    ? t('alerts.stage_at_once')
    : t('alerts.stage_after', { delay: formatDelay(minutes) });
}

/** Who did it and when; the username isolated so it reads right in Arabic too. */
function byAt(officer, at) {
  return h('span', {}, data(officer ?? '', { dir: 'ltr' }), ' — ', formatDateTime(at));
}

function alertStatusBadge(alert) {
  const known = ['proposed', 'active', 'ended'].includes(alert.state) ? alert.state : 'ended';
  const reason =
    known === 'ended' && alert.endReason ? tOr(`alerts.end_reason.${alert.endReason}`, '') : '';
  return h(
    'span',
    { class: `badge alert-state alert-state-${known}`, testid: 'alert-state', 'data-state': known },
    reason ? `${t(`alerts.state.${known}`)} · ${reason}` : t(`alerts.state.${known}`),
  );
}

function progressView(alert) {
  const progress = alert.progress ?? {};
  const count = (name) => (Number.isFinite(progress[name]) ? progress[name] : 0);
  return h(
    'dl',
    { class: 'progress', testid: 'alert-progress' },
    [
      ['queued', 'queued'],
      ['sent', 'sent'],
      ['delivered', 'delivered'],
      ['read', 'read'],
      ['failed', 'failed'],
      ['skipped', 'skipped'],
      ['closingSent', 'closing'],
    ].map(([name, key]) =>
      h(
        'div',
        { class: `progress-item progress-${key}` },
        h('dt', {}, t(`alerts.progress.${key}`)),
        h('dd', { testid: `alert-progress-${key}` }, formatNumber(count(name), 0)),
      ),
    ),
  );
}

/** Reads how many recipients a proposed alert's first 24 h can reach (once per alert shown). */
async function fetchReach(alert) {
  const alerting = state.alerting;
  alerting.reach[alert.id] = { status: 'loading' };
  const result = await api('GET', `/api/alerts/${encodeURIComponent(alert.id)}/reach`);
  if (state.alerting !== alerting) return;
  alerting.reach[alert.id] =
    result.ok && result.data?.reach
      ? { status: 'ok', value: result.data.reach }
      : { status: 'failed' };
  render();
}

/** The approval screen's word on the first day: audience, the number's limit, who must wait. */
function reachView(alert) {
  const known = state.alerting.reach[alert.id];
  if (!known) {
    void fetchReach(alert);
    return null;
  }
  if (known.status === 'loading') return null;
  if (known.status === 'failed') {
    return h('p', { class: 'muted', testid: 'alert-reach' }, t('broadcast.reach.unknown'));
  }
  const { audience, dailyLimit, firstDay } = known.value;
  const rest = Math.max(0, Number(audience) - Number(firstDay));
  return h(
    'div',
    { class: 'alert-reach', testid: 'alert-reach', 'data-first-day': String(firstDay) },
    h('h4', {}, t('broadcast.reach.title')),
    h(
      'p',
      {},
      dailyLimit === null
        ? t('broadcast.reach.unlimited', { audience: formatNumber(audience, 0) })
        : t('broadcast.reach.limited', {
            firstDay: formatNumber(firstDay, 0),
            audience: formatNumber(audience, 0),
            limit: formatNumber(dailyLimit, 0),
          }),
    ),
    rest > 0 ? h('p', {}, t('broadcast.reach.short', { rest: formatNumber(rest, 0) })) : null,
  );
}

/** The broadcast stopped because WhatsApp refuses the account: said on the alert itself. */
function haltView(alert) {
  const halt = alert.broadcastHalt;
  if (!halt || typeof halt !== 'object') return null;
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert', testid: 'alert-broadcast-halted' },
    h('p', {}, t('broadcast.halted', { code: String(halt.code ?? '') })),
  );
}

function alertActions(alert) {
  const officer = state.officer ?? {};
  const supervising = ALERT_SUPERVISING_ROLES.includes(officer.role);
  const confirm = state.alerting.confirm;
  const asking = confirm && confirm.alertId === alert.id ? confirm.action : null;
  const blocks = [];
  if (asking) {
    const approve = asking === 'approve';
    blocks.push(
      h(
        'div',
        { class: 'alert-confirm', role: 'group', testid: 'alert-confirm' },
        h('p', {}, t(approve ? 'alerts.confirm_approve' : 'alerts.confirm_cancel')),
        h(
          'div',
          { class: 'quick-actions' },
          h(
            'button',
            {
              type: 'button',
              class: `button ${approve ? 'button-primary' : 'button-danger'}`,
              testid: 'alert-confirm-yes',
              disabled: state.busy,
              onclick: () =>
                approve
                  ? alertAction(alert.id, 'approve', {}, 'alerts.feedback.approved')
                  : alertAction(alert.id, 'cancel', {}, 'alerts.feedback.cancelled'),
            },
            t(approve ? 'alerts.approve_yes' : 'alerts.cancel_yes'),
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'button button-quiet',
              testid: 'alert-confirm-no',
              onclick: () => {
                state.alerting.confirm = null;
                render();
              },
            },
            t('alerts.back'),
          ),
        ),
      ),
    );
    return blocks;
  }
  const quick = [];
  if (alert.state === 'proposed') {
    if (supervising && alert.proposedBy !== officer.username) {
      quick.push(
        h(
          'button',
          {
            type: 'button',
            class: 'button button-primary',
            testid: 'alert-approve',
            disabled: state.busy,
            onclick: () => askAlertConfirmation(alert.id, 'approve'),
          },
          t('alerts.approve'),
        ),
      );
    } else {
      blocks.push(
        h(
          'p',
          { class: 'waiting-approval', testid: 'alert-waiting-approval' },
          t(supervising ? 'alerts.waiting_other_supervisor' : 'alerts.waiting_approval'),
        ),
      );
    }
  }
  quick.push(
    h(
      'button',
      {
        type: 'button',
        class: 'button button-danger',
        testid: 'alert-cancel',
        disabled: state.busy,
        onclick: () => askAlertConfirmation(alert.id, 'cancel'),
      },
      t('alerts.cancel'),
    ),
  );
  blocks.push(h('div', { class: 'quick-actions' }, quick));
  if (alert.state === 'active' && supervising) {
    blocks.push(
      h(
        'form',
        {
          class: 'inline-form',
          testid: 'alert-extend',
          onsubmit: (event) => {
            event.preventDefault();
            void extendAlert(alert.id);
          },
        },
        field(
          t('alerts.extend_label'),
          h('input', {
            type: 'number',
            min: '1',
            max: '24',
            step: '1',
            dir: 'ltr',
            class: 'alert-extend-hours',
            testid: 'alert-extend-hours',
            value: state.alerting.extendHours,
            oninput: (event) => {
              state.alerting.extendHours = event.target.value;
            },
          }),
        ),
        h(
          'button',
          { type: 'submit', class: 'button', testid: 'alert-extend-submit', disabled: state.busy },
          t('alerts.extend'),
        ),
      ),
    );
  }
  return blocks;
}

function alertCard(alert, isOpen, detail) {
  const stages = Array.isArray(alert.stages) ? alert.stages : [];
  const current = Number.isInteger(alert.currentStage) ? alert.currentStage : -1;
  const currentStage = current >= 0 ? stages[current] : undefined;
  const capUrl = sameOriginUrl(alert.capUrl) ?? webUrl(alert.capUrl);
  const posterUrl = sameOriginUrl(alert.posterUrl);
  const approved = Boolean(alert.approvedAt);
  return h(
    'article',
    {
      class: `alert-card alert-card-${alert.state}`,
      testid: isOpen ? 'alert-open' : `alert-${alert.id}`,
      'data-alert-id': alert.id,
      'data-state': alert.state,
    },
    h(
      'div',
      { class: 'alert-card-head' },
      h('h3', {}, t('alerts.card_title', { at: formatDateTime(alert.proposedAt) })),
      alertStatusBadge(alert),
    ),
    h(
      'dl',
      { class: 'case-facts alert-facts' },
      fact(t('alerts.proposed_by'), byAt(alert.proposedBy, alert.proposedAt)),
      approved ? fact(t('alerts.approved_by'), byAt(alert.approvedBy, alert.approvedAt)) : null,
      alert.expiresAt && alert.state !== 'ended'
        ? fact(
            t('alerts.expires_at'),
            h('span', { testid: 'alert-expires' }, formatDateTime(alert.expiresAt)),
          )
        : null,
      alert.endedAt ? fact(t('alerts.ended_at'), formatDateTime(alert.endedAt)) : null,
      fact(
        t('alerts.window'),
        t('alerts.window_value', { hours: formatNumber(Number(alert.windowHours) || 0) }),
      ),
      alert.centre
        ? fact(
            t('alerts.form.centre'),
            h(
              'span',
              { class: 'stack-tight' },
              data(
                `${Number(alert.centre.lat).toFixed(4)}, ${Number(alert.centre.lon).toFixed(4)}`,
                { dir: 'ltr' },
              ),
              mapLink(pointMapUrl(alert.centre.lat, alert.centre.lon), 'alert-centre-link'),
            ),
          )
        : null,
    ),
    h(
      'p',
      { class: 'current-stage', testid: 'alert-current-stage', 'data-stage': String(current) },
      currentStage
        ? t('alerts.current_stage', {
            number: current + 1,
            total: stages.length,
            radius: formatNumber(currentStage.radiusKm),
          })
        : t(alert.state === 'proposed' ? 'alerts.not_started' : 'alerts.no_stage'),
    ),
    h(
      'ol',
      { class: 'stages' },
      stages.map((stage, index) =>
        h(
          'li',
          {
            class:
              index === current
                ? 'stage stage-current'
                : index < current
                  ? 'stage stage-past'
                  : 'stage',
            'aria-current': index === current ? 'step' : null,
          },
          t('alerts.stage_line', {
            radius: formatNumber(stage.radiusKm),
            delay: stageDelay(stage.afterMinutes),
          }),
        ),
      ),
    ),
    haltView(alert),
    alert.state === 'proposed' ? reachView(alert) : null,
    approved ? progressView(alert) : null,
    h(
      'div',
      { class: 'alert-links' },
      capUrl && approved
        ? h(
            'a',
            { href: capUrl, target: '_blank', rel: 'noopener noreferrer', testid: 'alert-cap' },
            t('alerts.cap'),
          )
        : null,
      posterUrl
        ? h(
            'a',
            {
              href: posterUrl,
              target: '_blank',
              rel: 'noopener',
              type: 'image/png',
              testid: 'alert-poster',
            },
            t('alerts.poster'),
          )
        : null,
    ),
    h(
      'details',
      { class: 'alert-texts-view' },
      h('summary', {}, t('alerts.published_texts')),
      ALERT_TEXT_LANGUAGES.map((language) =>
        h(
          'div',
          { class: 'alert-text-view' },
          h('h4', {}, t(`lang.${language}`)),
          h(
            'p',
            {
              class: 'alert-preview',
              lang: language,
              dir: RTL_LANGUAGES.has(language) ? 'rtl' : 'ltr',
              testid: `alert-published-${language}`,
            },
            String(alert.texts?.[language] ?? ''),
          ),
        ),
      ),
      // The case photo (same origin, with the session): the alert's public photo URL may
      // be on the public host, which the console's policy does not load from.
      projectionView(alert.content, detail.photoUrl, null),
    ),
    isOpen ? alertErrorView() : null,
    isOpen ? alertActions(alert) : null,
  );
}

function alertsPanel(detail) {
  const alerting = state.alerting;
  const alerts = alerting.alerts;
  if (!ALERT_PANEL_STATUSES.includes(detail.status) && alerts.length === 0) return null;
  const open = openAlert();
  const canPropose = ALERTABLE.includes(detail.status) && !open && alerting.alertsLoaded;
  return panel(
    'alerts.title',
    'section-alerts',
    alerting.form ? alertFormView(alerting.form, detail) : null,
    !alerting.form && !open ? alertErrorView() : null,
    canPropose && !alerting.form
      ? h(
          'div',
          { class: 'quick-actions' },
          h(
            'button',
            {
              type: 'button',
              class: 'button button-primary',
              testid: 'alert-propose',
              disabled: state.busy,
              onclick: openAlertForm,
            },
            t('alerts.propose'),
          ),
        )
      : null,
    alerts.length === 0 && !alerting.form && alerting.alertsLoaded
      ? h('p', { class: 'muted', testid: 'alerts-empty' }, t('alerts.none'))
      : null,
    alerts.map((alert) => alertCard(alert, alert === open, detail)),
  );
}

function sightingPlace(sighting) {
  const place = sighting.place;
  const parts = [];
  if (place?.kind === 'pin') {
    if (place.name) parts.push(data(place.name, { class: 'answer' }));
    const coordinates = `${Number(place.latitude).toFixed(5)}, ${Number(place.longitude).toFixed(5)}`;
    parts.push(
      h(
        'span',
        { class: 'muted coordinates' },
        t('case.fields.pin'),
        ' ',
        data(coordinates, { dir: 'ltr' }),
      ),
    );
    parts.push(mapLink(pointMapUrl(place.latitude, place.longitude), 'sighting-map-link'));
  } else if (place?.kind === 'description') {
    parts.push(data(place.text ?? '', { class: 'answer' }));
  }
  return h('div', { class: 'stack-tight' }, parts);
}

function sightingItem(sighting) {
  const fresh = state.alerting.fresh.has(sighting.id);
  const photo = sameOriginUrl(sighting.photoUrl);
  const distance =
    typeof sighting.distanceKm === 'number' && Number.isFinite(sighting.distanceKm)
      ? t('sightings.distance', { km: formatNumber(sighting.distanceKm) })
      : t('sightings.distance_unknown');
  return h(
    'li',
    {
      class: `sighting${fresh ? ' sighting-new' : ''}${sighting.flagged ? ' sighting-flagged' : ''}`,
      testid: 'sighting',
      'data-sighting-id': sighting.id,
      'data-new': fresh ? 'true' : 'false',
    },
    h(
      'div',
      { class: 'sighting-head' },
      h(
        'time',
        { datetime: sighting.seenAt ?? '', class: 'sighting-time' },
        t('sightings.seen_at', { at: formatDateTime(sighting.seenAt) }),
      ),
      fresh
        ? h(
            'span',
            { class: 'badge sighting-new-badge', testid: 'sighting-new' },
            t('sightings.new'),
          )
        : null,
      sighting.flagged
        ? h(
            'span',
            { class: 'badge sighting-flag', testid: 'sighting-flagged' },
            t('sightings.flagged'),
          )
        : null,
    ),
    definitions([
      [t('sightings.where'), sightingPlace(sighting)],
      [t('sightings.distance_label'), h('span', { testid: 'sighting-distance' }, distance)],
      [
        t('sightings.what'),
        sighting.description
          ? h(
              'p',
              { class: 'sighting-text', dir: 'auto', testid: 'sighting-description' },
              sighting.description,
            )
          : null,
      ],
      [
        t('sightings.call_back'),
        typeof sighting.callBack === 'string' && sighting.callBack !== ''
          ? data(sighting.callBack, { dir: 'ltr', testid: 'sighting-call-back' })
          : h('span', { class: 'muted' }, t('sightings.no_call_back')),
      ],
      [t('sightings.received_at'), formatDateTime(sighting.createdAt)],
    ]),
    photo
      ? h(
          'a',
          { href: photo, target: '_blank', rel: 'noopener', class: 'sighting-photo-link' },
          h('img', {
            src: photo,
            class: 'sighting-photo',
            testid: 'sighting-photo',
            alt: t('sightings.photo_alt'),
            decoding: 'async',
            loading: 'lazy',
          }),
        )
      : null,
  );
}

function sightingsPanel(detail) {
  const alerting = state.alerting;
  const sightings = alerting.sightings;
  if (sightings.length === 0 && alerting.alerts.length === 0 && detail.status !== 'alert_active') {
    return null;
  }
  const freshCount = alerting.fresh.size;
  return panel(
    'sightings.title',
    'section-sightings',
    h(
      'div',
      { class: 'section-head' },
      h(
        'p',
        { class: 'muted', role: 'status', 'aria-live': 'polite', testid: 'sightings-count' },
        freshCount > 0
          ? t('sightings.count_new', { count: sightings.length, fresh: freshCount })
          : t('sightings.count', { count: sightings.length }),
      ),
      freshCount > 0
        ? h(
            'button',
            {
              type: 'button',
              class: 'button button-quiet',
              testid: 'sightings-seen',
              onclick: () => {
                alerting.fresh.clear();
                render();
              },
            },
            t('sightings.mark_seen'),
          )
        : null,
    ),
    sightings.length === 0
      ? h('p', { class: 'muted', testid: 'sightings-empty' }, t('sightings.empty'))
      : h('ol', { class: 'sightings', testid: 'sightings' }, sightings.map(sightingItem)),
  );
}

// ---------------------------------------------------------------- data-subject requests

async function fetchPendingRights() {
  const result = await api('GET', '/api/rights-requests');
  if (result.status === 401) return sessionLost();
  if (!result.ok) return showError(result);
  state.rights.pending = result.data.requests;
  state.rights.loaded = true;
}

async function fetchCaseRights(caseId) {
  const result = await api('GET', `/api/cases/${encodeURIComponent(caseId)}/rights-requests`);
  if (result.status === 401) return sessionLost();
  // Another case opened meanwhile: its own fetch fills the panel.
  if (state.openCaseId !== caseId) return;
  state.rights.forCase = result.ok ? result.data.requests : [];
}

/** Applies or refuses a request, then re-reads what the officer is looking at. */
async function decideRights(request, action) {
  const body =
    action === 'refuse'
      ? {
          reason: state.rights.reasons[request.id] ?? 'case_open',
          ...(state.rights.notes[request.id] ? { note: state.rights.notes[request.id] } : {}),
        }
      : state.rights.notes[request.id]
        ? { note: state.rights.notes[request.id] }
        : {};
  state.busy = true;
  render();
  const result = await api(
    'POST',
    `/api/rights-requests/${encodeURIComponent(request.id)}/${action}`,
    body,
  );
  state.busy = false;
  if (result.status === 401) return sessionLost();
  await Promise.all([
    fetchPendingRights(),
    state.openCaseId ? fetchCaseRights(state.openCaseId) : Promise.resolve(),
  ]);
  if (result.ok) {
    showSuccess(action === 'refuse' ? 'rights.refused' : 'rights.applied');
  } else {
    // Still pending after a 409: the erasure was refused because a case is open; otherwise
    // another supervisor decided it first.
    const stillPending = state.rights.pending.some((item) => item.id === request.id);
    showError(result, stillPending ? { conflict: 'rights.case_open' } : {});
  }
  render();
}

function rightsRequestItem(request) {
  const decidable = request.status === 'pending';
  const reasonSelect = h(
    'select',
    {
      testid: `rights-reason-${request.id}`,
      onchange: (event) => {
        state.rights.reasons[request.id] = event.target.value;
      },
    },
    ['case_open', 'judicial_hold', 'identity_unverified', 'other'].map((reason) =>
      h(
        'option',
        { value: reason, selected: (state.rights.reasons[request.id] ?? 'case_open') === reason },
        t(`rights.reasons.${reason}`),
      ),
    ),
  );
  const note = h('input', {
    type: 'text',
    maxlength: '1000',
    testid: `rights-note-${request.id}`,
    value: state.rights.notes[request.id] ?? '',
    oninput: (event) => {
      state.rights.notes[request.id] = event.target.value;
    },
  });
  return h(
    'li',
    { class: 'rights-request', testid: `rights-request-${request.id}` },
    h(
      'p',
      {},
      h('strong', {}, t(`rights.kind.${request.kind}`)),
      ' — ',
      tOr(`rights.status.${request.status}`, request.status),
      ' — ',
      request.caseId
        ? h(
            'a',
            { href: `#/case/${encodeURIComponent(request.caseId)}` },
            t('rights.case', { reference: request.caseReference ?? '' }),
          )
        : t('rights.no_case'),
    ),
    h('p', { class: 'muted' }, t('rights.received', { date: formatDateTime(request.createdAt) })),
    request.text ? h('p', {}, t('rights.correction', { text: request.text })) : null,
    request.erasedAtOnce.length > 0
      ? h(
          'p',
          { class: 'muted' },
          t('rights.erased_at_once', { what: request.erasedAtOnce.join(', ') }),
        )
      : null,
    request.decidedAt
      ? h(
          'p',
          { class: 'muted' },
          t('rights.decided', {
            status: tOr(`rights.status.${request.status}`, request.status),
            by: request.decidedBy ?? '—',
            date: formatDateTime(request.decidedAt),
          }),
        )
      : null,
    decidable
      ? h(
          'div',
          { class: 'rights-actions' },
          field(t('rights.note_label'), note),
          h(
            'button',
            {
              type: 'button',
              class: 'button',
              testid: `rights-apply-${request.id}`,
              disabled: state.busy,
              onclick: () => decideRights(request, 'apply'),
            },
            t(request.kind === 'erase' ? 'rights.apply_erase' : 'rights.apply'),
          ),
          field(t('rights.reason_label'), reasonSelect),
          h(
            'button',
            {
              type: 'button',
              class: 'button button-quiet',
              testid: `rights-refuse-${request.id}`,
              disabled: state.busy,
              onclick: () => decideRights(request, 'refuse'),
            },
            t('rights.refuse'),
          ),
        )
      : null,
  );
}

/** The pending requests this officer decides (`#/rights`). */
function rightsView() {
  const { pending, loaded } = state.rights;
  return h(
    'section',
    { class: 'rights-view', testid: 'rights-view' },
    h('h1', {}, t('rights.title')),
    h('p', { class: 'muted' }, t('rights.intro')),
    !loaded
      ? h('p', { class: 'muted' }, t('app.loading'))
      : pending.length === 0
        ? h('p', { class: 'muted', testid: 'rights-empty' }, t('rights.empty'))
        : h(
            'ol',
            { class: 'rights-requests', testid: 'rights-list' },
            pending.map(rightsRequestItem),
          ),
  );
}

/** The open case's requests, in its timeline. */
function rightsPanel() {
  const requests = state.rights.forCase;
  return panel(
    'rights.case_panel',
    'section-rights',
    requests.length === 0
      ? h('p', { class: 'muted' }, t('rights.case_empty'))
      : h('ol', { class: 'rights-requests' }, requests.map(rightsRequestItem)),
  );
}

// ---------------------------------------------------------------- start

async function start() {
  try {
    await loadTexts('fr');
    await loadTexts(state.language);
  } catch {
    state.language = 'fr';
  }
  render();
  window.addEventListener('hashchange', () => {
    state.notice = null;
    void route();
  });
  window.setInterval(() => {
    refreshWaiting();
    // Without the live stream (proxy, network), fall back to a slow poll.
    if (state.officer && (!events || events.readyState !== EventSource.OPEN)) {
      scheduleRefresh(null);
    }
  }, WAITING_REFRESH_MS);
  window.setInterval(pollAlerts, ALERT_POLL_MS);
  await resumeSession();
}

void start();
