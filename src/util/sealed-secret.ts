import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { SwitchboardError } from '../errors.ts';

const ALGORITHM = 'aes-256-gcm';
const FORMAT = 'v1';
/** GCM's recommended nonce size; a fresh random one per seal. */
const IV_BYTES = 12;
const KEY_BYTES = 32;

/**
 * Seals secrets kept at rest (a workspace's bot token) with AES-256-GCM under the
 * server's key (`SWITCHBOARD_SECRET_KEY`). A sealed value reads
 * `v1:<key id>:<iv>:<tag>:<ciphertext>` (base64url parts): the key id (a hash of the key,
 * not the key) tells a value sealed with another key from a tampered one. `context`
 * (the installation's id) is authenticated with it, so a sealed token copied into another
 * workspace's record does not open there.
 */
export class SecretSealer {
  readonly #key: Buffer;
  readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length !== KEY_BYTES) throw new SwitchboardError('config_invalid', `a secret key is ${KEY_BYTES} bytes, not ${key.length}`);
    this.#key = key;
    this.keyId = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  }

  seal(secret: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [FORMAT, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), sealed.toString('base64url')].join(':');
  }

  /** The secret, or a `config_invalid` error saying why it cannot be read (another key, or altered). */
  open(value: string, context: string): string {
    const [format, keyId, iv, tag, sealed, ...rest] = value.split(':');
    if (format !== FORMAT || !keyId || !iv || !tag || sealed === undefined || rest.length > 0) {
      throw new SwitchboardError('config_invalid', `a sealed secret of ${context} is not in the ${FORMAT} format`);
    }
    if (keyId !== this.keyId) {
      throw new SwitchboardError('config_invalid', `the secret of ${context} was sealed with another SWITCHBOARD_SECRET_KEY (key id ${keyId}, this one is ${this.keyId})`);
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.#key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(sealed, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SwitchboardError('config_invalid', `the sealed secret of ${context} was altered or belongs to another record`, { cause: error });
    }
  }
}

/**
 * The sealer for `SWITCHBOARD_SECRET_KEY`: 32 random bytes written as base64 (`openssl rand
 * -base64 32`) or as 64 hex digits. A passphrase is refused rather than stretched: the key
 * guards every workspace's token, so it is random or it is not accepted.
 */
export function sealerFromKey(value: string | undefined, variable = 'SWITCHBOARD_SECRET_KEY'): SecretSealer {
  const text = value?.trim() ?? '';
  if (!text) throw new SwitchboardError('config_invalid', `${variable} is not set: generate one with \`openssl rand -base64 32\``);
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : undefined;
  if (key?.length !== KEY_BYTES) {
    throw new SwitchboardError('config_invalid', `${variable} must be ${KEY_BYTES} random bytes in base64 or hex: generate one with \`openssl rand -base64 32\``);
  }
  return new SecretSealer(key);
}
