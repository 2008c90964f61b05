// The diagnostics_channel events node:http publishes for servers (OpenTelemetry and Sentry
// subscribe to them). channel(name) returns Node's own channel objects, so a subscriber
// made with either API sees these; publishing is skipped unless someone subscribed.
import dc from 'node:diagnostics_channel';

export const requestStart = dc.channel('http.server.request.start');
export const responseCreated = dc.channel('http.server.response.created');
export const responseFinish = dc.channel('http.server.response.finish');
