// Types of dist.mjs's exports, for the tests that check them against the config and the workflow.
export declare const CONFIG_FILE: string;
export declare const SIGNING_ENV: {
  certificate: string[];
  installerCertificate: string[];
  azureAccount: string[];
  azureCredentials: string[];
  notarisation: string[][];
};
export declare function dropEmptySigningEnv<T extends Record<string, string | undefined>>(env: T): T;
export declare function configFromEnv(env: Record<string, string | undefined>): {
  win?: { azureSignOptions: { endpoint: string; codeSigningAccountName: string; certificateProfileName: string; publisherName: string } };
};
export declare function releaseProblems(platform: string, env: Record<string, string | undefined>): string[];
