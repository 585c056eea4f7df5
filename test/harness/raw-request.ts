import { request as httpsRequest } from "node:https";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * One HTTPS request without a client's rules: any header, any body. `declaredLength` sends a Content-Length
 * and no body, as a client about to upload that much would: a server answers such a request (413) before reading,
 * which a client writing megabytes would only see as a broken pipe.
 */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; declaredLength?: number } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = httpsRequest(url, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      answered = true;
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => {
        resolve({ status: res.statusCode!, headers: res.headers, text });
        req.destroy();
      });
      res.on("error", () => resolve({ status: res.statusCode!, headers: res.headers, text }));
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    if (options.declaredLength === undefined) {
      req.end(options.body);
    } else {
      req.setHeader("content-length", String(options.declaredLength));
      req.flushHeaders();
    }
  });
}
