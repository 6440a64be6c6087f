// Whether this page may reach Mailroom at all (see bridgeAccess): browser mode's page opened
// without the token of this start cannot, whatever it asks.
import { useSyncExternalStore } from 'react';
import { bridgeAccess, onBridgeAccess, type BridgeAccess } from '../bridge';

export function useBridgeAccess(): BridgeAccess {
  return useSyncExternalStore(onBridgeAccess, bridgeAccess);
}
