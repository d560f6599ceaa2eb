import type { QueueEntry, StoredCase } from '../../../core/case/storedCase.js';

/** A map link for the last-seen place: the pin itself, or a search for the description. */
export function mapUrl(lastSeen: StoredCase['lastSeen']): string {
  const place = lastSeen.place;
  if (place.kind === 'pin') {
    const { latitude: lat, longitude: lon } = place;
    return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
  }
  const query = [place.text, lastSeen.city, 'Maroc'].filter(Boolean).join(', ');
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(query)}`;
}

/** Where an officer's console plays one of a case's voice notes. */
function audioUrl(caseId: string, audioId: string): string {
  return `/api/cases/${encodeURIComponent(caseId)}/audio/${audioId}`;
}

/** A queue line: enough to choose, not the whole file. */
export function caseSummary(stored: QueueEntry, now: Date) {
  return {
    id: stored._id,
    reference: stored.reference,
    status: stored.status,
    priority: stored.priority,
    flags: stored.flags ?? [],
    region: stored.region,
    createdAt: stored.createdAt,
    waitingSeconds: Math.max(
      0,
      Math.round((now.getTime() - new Date(stored.createdAt).getTime()) / 1000),
    ),
    assignedTo: stored.assignedTo,
    child: { fullName: stored.child.fullName, age: stored.child.age, sex: stored.child.sex },
    lastSeen: { at: stored.lastSeen.at, city: stored.lastSeen.city },
  };
}

/** The whole case, for an authorized officer (the view is audited by the route). */
export function caseDetail(stored: StoredCase, now: Date) {
  return {
    ...caseSummary(stored, now),
    language: stored.language,
    channel: stored.channel,
    reporter: stored.reporter,
    child: stored.child,
    lastSeen: { ...stored.lastSeen, mapUrl: mapUrl(stored.lastSeen) },
    circumstances: stored.circumstances,
    abduction: stored.abduction,
    photoUrl: stored.child.photoId ? `/api/cases/${encodeURIComponent(stored._id)}/photo` : null,
    // Each voice note with the address the console plays it from.
    voiceNotes: (stored.voiceNotes ?? []).map((note) => ({
      ...note,
      audioUrl: audioUrl(stored._id, note.audioId),
    })),
    officialReportNumber: stored.officialReportNumber,
    messages: stored.messages.map((message) =>
      message.audio
        ? { ...message, audioUrl: audioUrl(stored._id, message.audio.audioId) }
        : message,
    ),
    notes: stored.notes,
    confirmation: stored.confirmation,
    closure: stored.closure,
    history: stored.history,
  };
}
