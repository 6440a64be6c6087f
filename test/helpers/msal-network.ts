// MSAL's network module over node:https that trusts one extra CA, so msal-node can talk to the
// test identity provider without turning certificate checks off.
import https from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export class TestNetworkClient implements INetworkModule {
  constructor(private readonly options: { ca: string }) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.send<T>('POST', url, options);
  }

  private send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const body = method === 'POST' ? (options?.body ?? '') : undefined;
    const headers: Record<string, string> = { ...options?.headers };
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      // agent: false, so no keep-alive socket outlives the test.
      const req = https.request(url, { method, headers, ca: this.options.ca, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            reject(new Error(`${method} ${url} answered ${res.statusCode} with a body that is not JSON`));
            return;
          }
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          resolve({ headers: flat, body: parsed as T, status: res.statusCode ?? 0 });
        });
      });
      if (timeout) req.setTimeout(timeout, () => req.destroy(new Error(`${method} ${url} timed out after ${timeout} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}
