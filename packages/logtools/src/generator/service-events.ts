import type { LogEvent } from './format-record.js';
import type { Random } from './create-random.js';

/** The process id each simulated service writes. */
export const PIDS: Readonly<Record<string, number>> = { backend: 4242, gpu_server: 4243, telegram_bot: 4250 };

/** A service's `service_start` line. */
export function lifecycleEvent(service: string, time: number): LogEvent {
  return {
    time,
    level: 'INFO',
    service,
    event: 'service_start',
    msg: 'service started',
    fields: { port: service === 'backend' ? 8000 : 8002 },
  };
}

/** A bot beside the stack: a message sent, and now and then an API error. */
export function telegramEvents(t: number, rng: Random, n: number): LogEvent[] {
  const events: LogEvent[] = [
    { time: t + 7, level: 'INFO', service: 'telegram_bot', event: 'message_sent', msg: 'message sent', fields: { chat: n } },
  ];
  if (n % 50 === 12) {
    events.push({
      time: t + 9,
      level: 'ERROR',
      service: 'telegram_bot',
      event: 'bot_error',
      msg: 'telegram call failed',
      fields: { error_code: 'telegram_api_error', error: `Telegram API answered 429: retry after ${rng.int(1, 60)} s` },
    });
  }
  return events;
}
