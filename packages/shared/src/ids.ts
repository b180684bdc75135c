import { v4 as uuidv4 } from 'uuid';

export { isUuidV4, parseIncomingId } from './schema/uuid-format.js';

/** A fresh random UUID v4, lower-case. */
export function newId(): string {
  return uuidv4();
}
