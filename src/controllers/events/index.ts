// Controllers record events with the client's recorder (client-go's rules; src/client/event-recorder.ts).
export { createEventRecorder, referenceTo, type EventRecorder, type EventRecorderConfig, type EventType } from '../../client/event-recorder.js';
