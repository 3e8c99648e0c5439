import type { ConnectionHandlers, StreamConnection } from './taskSubscription.js';

/**
 * One WebSocket connection attempt (SPEC §4). A browser does not show why an upgrade was refused, so when the socket
 * closes without having opened, `onClosedBeforeOpen` runs after `handlers.onClose` (the client then asks the
 * stream's REST twin whether the token is refused, or falls back to SSE).
 */
export function openSocketConnection(
  socket: WebSocket,
  handlers: ConnectionHandlers,
  onClosedBeforeOpen: () => void,
): StreamConnection {
  let opened = false;
  socket.onopen = () => {
    opened = true;
    handlers.onOpen();
  };
  socket.onmessage = (message) => handlers.onMessage(String(message.data));
  socket.onclose = () => {
    handlers.onClose();
    if (!opened) onClosedBeforeOpen();
  };
  // Every failure is followed by `close`.
  socket.onerror = () => {};
  return {
    close: () => {
      socket.onclose = null;
      socket.close(1000);
    },
    send: (data) => socket.send(data),
  };
}
