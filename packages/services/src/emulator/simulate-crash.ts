import type { Server } from 'node:http';

/**
 * Makes a listening server behave like a ComfyUI process that died and was restarted:
 * every open connection is dropped at once, new connections are refused for `downMs`
 * milliseconds, then the server listens again on the same address and `onBack` runs
 * (the emulator prints its startup banner there). The pending restart keeps the
 * process alive through the downtime (nothing else does once the server is closed);
 * returns a function that cancels it (a process stopping during the downtime stays
 * down and may exit).
 */
export function simulateCrash(server: Server, downMs: number, onBack: () => void): () => void {
  const address = server.address();
  if (address === null || typeof address === 'string') return () => undefined;
  server.close();
  server.closeAllConnections();
  const timer = setTimeout(() => {
    server.listen(address.port, address.address, onBack);
  }, downMs);
  return () => clearTimeout(timer);
}
