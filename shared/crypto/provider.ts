/**
 * The PII key provider for this process: AWS KMS (envelope encryption, data keys cached
 * briefly) when PII_KMS_KEY_ID is set, else the local stage's master key file
 * (PII_KEY_FILE, under DATA_DIR/keys). The blind-index secret comes from Secrets Manager
 * (PII_BLIND_INDEX_SECRET_ARN) in AWS.
 */
import { KmsKeyProvider, LocalKeyProvider, type KeyProvider } from './pii';
import { secretValue } from '../runtime/secrets';

const providers = new Map<string, KeyProvider>();

export function piiKeyProvider(): KeyProvider {
  const kmsKey = process.env.PII_KMS_KEY_ID;
  const id = kmsKey ? `kms:${kmsKey}` : `file:${process.env.PII_KEY_FILE ?? ''}`;
  let p = providers.get(id);
  if (!p) {
    p = kmsKey
      ? new KmsKeyProvider({
          keyId: kmsKey,
          blindIndexKeyCiphertext: process.env.PII_BLIND_INDEX_KEY_CIPHERTEXT || undefined,
          blindIndexSecret: () => secretValue('PII_BLIND_INDEX_SECRET'),
        })
      : new LocalKeyProvider(process.env.PII_KEY_FILE || undefined);
    providers.set(id, p);
  }
  return p;
}
