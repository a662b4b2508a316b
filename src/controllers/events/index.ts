// The event recorder every controller uses (see recorder.ts for client-go's rules it follows).
export { createEventRecorder, referenceTo, type EventRecorder, type EventRecorderConfig, type EventType } from './recorder.js';
