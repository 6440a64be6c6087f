// The Electron settings file: electron-store, which is conf with Electron's defaults; same format, same file.
import ElectronStore from 'electron-store';
import type { DocumentFileFactory } from '../services/settings/settings-service';

// electron-store names the file by `name` and overrides conf's `configName` with it (default "config").
export const createElectronStoreFile: DocumentFileFactory = ({ configName, ...options }) =>
  new ElectronStore<Record<string, unknown>>({ ...options, name: configName });
