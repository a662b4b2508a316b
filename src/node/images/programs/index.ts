// The tutorial images' programs by the built-in name builtin.ts is started with (catalog.ts maps
// image names to these names).
import { runEchoServer } from './echo-server.js';
import { runEchoserver } from './echoserver.js';
import { runHelloApp } from './hello-app.js';
import { runNginxHello } from './nginx-hello.js';

export const TUTORIAL_PROGRAMS: Readonly<Record<string, (args: string[]) => void>> = {
  echoserver: runEchoserver,
  'echo-server': () => runEchoServer(),
  'hello-app': runHelloApp,
  'nginx-hello': runNginxHello,
};
