/**
 * A headless Chromium for tests and benches: Debian's /usr/bin/chromium driven over the Chrome
 * DevTools Protocol on 127.0.0.1. (playwright-core cannot run under Deno without --allow-all: it
 * reads /proc and the whole environment when it loads; this small client needs only
 * --allow-run=/usr/bin/chromium and loopback.) Nothing downloads a browser; when Chromium is
 * missing, {@link chromiumPath} says so and callers skip.
 */

/** Where Debian installs Chromium (`apt-get install chromium`). */
const CHROMIUM = "/usr/bin/chromium";

/** Flags that keep Chromium off the network and quiet (its background services would call out). */
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--no-default-browser-check",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-extensions",
  "--disable-features=Translate,OptimizationHints,MediaRouter",
  "--remote-debugging-address=127.0.0.1",
  "--remote-debugging-port=0",
];

/** The Chromium executable, or undefined when it is not installed. */
export async function chromiumPath(): Promise<string | undefined> {
  try {
    return (await Deno.stat(CHROMIUM)).isFile ? CHROMIUM : undefined;
  } catch {
    return undefined;
  }
}

/** What a page did since it was opened. */
export interface PageEvents {
  /** Console messages and browser log entries (CSP violations among them), with their level. */
  console: { type: string; text: string }[];
  /** Uncaught exceptions. */
  pageErrors: string[];
  /** Every URL the page requested other than itself. */
  requests: string[];
}

/** How a page is shown. */
export interface OpenOptions {
  viewport?: { width: number; height: number };
  colorScheme?: "light" | "dark";
}

/** Keys {@link BrowserSession.press} knows. */
const KEYS: Record<string, { key: string; code: string; keyCode: number; text?: string }> = {
  Enter: { key: "Enter", code: "Enter", keyCode: 13, text: "\r" },
  Space: { key: " ", code: "Space", keyCode: 32, text: " " },
  Tab: { key: "Tab", code: "Tab", keyCode: 9 },
  Backspace: { key: "Backspace", code: "Backspace", keyCode: 8 },
};

type Message = { id?: number; method?: string; params?: Record<string, unknown>; sessionId?: string } & {
  result?: Record<string, unknown>;
  error?: { message: string };
};

/** One browser; one page at a time. */
export class BrowserSession implements AsyncDisposable {
  readonly #process: Deno.ChildProcess;
  readonly #profile: string;
  readonly #socket: WebSocket;
  readonly #pending = new Map<
    number,
    { resolve: (value: Record<string, unknown>) => void; reject: (e: Error) => void }
  >();
  readonly #listeners = new Set<(message: Message) => void>();
  #nextId = 1;
  #context: string | undefined;
  #session: string | undefined;
  #events: PageEvents = { console: [], pageErrors: [], requests: [] };
  #url = "";

  private constructor(process: Deno.ChildProcess, profile: string, socket: WebSocket) {
    this.#process = process;
    this.#profile = profile;
    this.#socket = socket;
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as Message;
      if (message.id !== undefined) {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message.result ?? {});
        return;
      }
      this.#record(message);
      for (const listener of this.#listeners) listener(message);
    };
  }

  /** Starts Chromium with a new empty profile. */
  static async start(chromium: string): Promise<BrowserSession> {
    const profile = await Deno.makeTempDir({ prefix: "report-browser-" });
    const process = new Deno.Command(chromium, {
      args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "about:blank"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const endpoint = await devToolsEndpoint(process.stderr);
    const socket = new WebSocket(endpoint);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = () => reject(new Error(`cannot connect to Chromium at ${endpoint}`));
    });
    return new BrowserSession(process, profile, socket);
  }

  #send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  #page(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    if (this.#session === undefined) throw new Error("no page is open");
    return this.#send(method, params, this.#session);
  }

  #record(message: Message): void {
    if (message.sessionId !== this.#session || message.params === undefined) return;
    const params = message.params;
    switch (message.method) {
      case "Runtime.consoleAPICalled": {
        const args = params.args as { value?: unknown; description?: string }[];
        const text = args.map((arg) => String(arg.value ?? arg.description ?? "")).join(" ");
        this.#events.console.push({ type: String(params.type), text });
        break;
      }
      case "Log.entryAdded": {
        const entry = params.entry as { level: string; text: string };
        this.#events.console.push({ type: entry.level, text: entry.text });
        break;
      }
      case "Runtime.exceptionThrown": {
        const details = params.exceptionDetails as { text: string; exception?: { description?: string } };
        this.#events.pageErrors.push(details.exception?.description ?? details.text);
        break;
      }
      case "Network.requestWillBeSent": {
        const url = String((params.request as { url: string }).url);
        if (url !== this.#url) this.#events.requests.push(url);
        break;
      }
    }
  }

  /** Opens `url` in a fresh browser context (no cookies, no cache) and waits for its load event. */
  async open(url: string, options: OpenOptions = {}): Promise<void> {
    if (this.#context !== undefined) {
      await this.#send("Target.disposeBrowserContext", { browserContextId: this.#context });
    }
    this.#context = String((await this.#send("Target.createBrowserContext")).browserContextId);
    const targetId = (await this.#send("Target.createTarget", { url: "about:blank", browserContextId: this.#context }))
      .targetId;
    this.#session = String((await this.#send("Target.attachToTarget", { targetId, flatten: true })).sessionId);
    this.#events = { console: [], pageErrors: [], requests: [] };
    this.#url = url;
    for (const domain of ["Page", "Runtime", "Network", "Log"]) await this.#page(`${domain}.enable`);
    const viewport = options.viewport ?? { width: 1280, height: 900 };
    await this.#page("Emulation.setDeviceMetricsOverride", { ...viewport, deviceScaleFactor: 1, mobile: false });
    await this.#page("Emulation.setEmulatedMedia", {
      features: [{ name: "prefers-color-scheme", value: options.colorScheme ?? "light" }],
    });
    const loaded = this.#waitFor((message) => message.method === "Page.loadEventFired");
    const navigation = await this.#page("Page.navigate", { url });
    if (navigation.errorText) throw new Error(`cannot open ${url}: ${navigation.errorText}`);
    await loaded;
  }

  #waitFor(predicate: (message: Message) => boolean): Promise<Message> {
    return new Promise((resolve) => {
      const listener = (message: Message) => {
        if (message.sessionId !== this.#session || !predicate(message)) return;
        this.#listeners.delete(listener);
        resolve(message);
      };
      this.#listeners.add(listener);
    });
  }

  /** Evaluates a JavaScript expression in the page (promises awaited); the value comes back as JSON. */
  async evaluate<T>(expression: string): Promise<T> {
    const answer = await this.#page("Runtime.evaluate", { expression, returnByValue: true, awaitPromise: true });
    const details = answer.exceptionDetails as { text: string; exception?: { description?: string } } | undefined;
    if (details) throw new Error(`evaluate ${expression}: ${details.exception?.description ?? details.text}`);
    return (answer.result as { value: T }).value;
  }

  /** Clicks the first element matching `selector` near its top left corner, as a mouse would. */
  async click(selector: string): Promise<void> {
    const [x, y] = await this.evaluate<[number, number]>(`(() => {
      const element = document.querySelector(${JSON.stringify(selector)});
      if (!element) throw new Error("nothing matches ${selector.replaceAll('"', "'")}");
      element.scrollIntoView({ block: "start" });
      const box = element.getBoundingClientRect();
      return [box.x + Math.min(box.width / 2, 8), box.y + Math.min(box.height / 2, 8)];
    })()`);
    for (const type of ["mousePressed", "mouseReleased"]) {
      await this.#page("Input.dispatchMouseEvent", { type, x, y, button: "left", clickCount: 1 });
    }
  }

  async #focus(selector: string): Promise<void> {
    await this.evaluate(`(() => {
      const element = document.querySelector(${JSON.stringify(selector)});
      if (!element) throw new Error("nothing matches");
      element.focus();
    })()`);
  }

  /** Focuses `selector` and presses a key of {@link KEYS}. */
  async press(selector: string, key: keyof typeof KEYS & string): Promise<void> {
    await this.#focus(selector);
    const definition = KEYS[key];
    if (definition === undefined) throw new Error(`unknown key ${key}`);
    const common = { key: definition.key, code: definition.code, windowsVirtualKeyCode: definition.keyCode };
    await this.#page("Input.dispatchKeyEvent", {
      type: definition.text ? "keyDown" : "rawKeyDown",
      ...common,
      ...(definition.text ? { text: definition.text } : {}),
    });
    await this.#page("Input.dispatchKeyEvent", { type: "keyUp", ...common });
  }

  /** Focuses `selector` and types `text`, one key event per character. */
  async type(selector: string, text: string): Promise<void> {
    await this.#focus(selector);
    for (const character of text) {
      await this.#page("Input.dispatchKeyEvent", { type: "keyDown", key: character, text: character });
      await this.#page("Input.dispatchKeyEvent", { type: "keyUp", key: character });
    }
  }

  /** Writes a PNG of the viewport, or of `clip` (page pixels). */
  async screenshot(path: string, clip?: { x: number; y: number; width: number; height: number }): Promise<void> {
    const answer = await this.#page("Page.captureScreenshot", {
      format: "png",
      ...(clip === undefined ? {} : { clip: { ...clip, scale: 1 }, captureBeyondViewport: true }),
    });
    await Deno.writeFile(path, Uint8Array.from(atob(String(answer.data)), (character) => character.charCodeAt(0)));
  }

  /** What the page did since it was opened. */
  events(): PageEvents {
    return structuredClone(this.#events);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#socket.close();
    this.#process.kill("SIGTERM");
    await this.#process.status;
    await Deno.remove(this.#profile, { recursive: true }).catch(() => {});
  }
}

/** Reads Chromium's stderr until it names its DevTools WebSocket, then keeps draining it. */
async function devToolsEndpoint(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Chromium ended before it listened: ${text.slice(-500)}`);
    text += value;
    const endpoint = /DevTools listening on (ws:\/\/\S+)/.exec(text)?.[1];
    if (endpoint !== undefined) {
      (async () => {
        while (!(await reader.read()).done);
      })();
      return endpoint;
    }
  }
}
