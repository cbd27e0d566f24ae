// `certform … | head -1`: the reader closes the pipe and the next write fails with EPIPE, which node
// raises as an uncaught error. Like a Unix tool ended by SIGPIPE, certform then goes quiet on that
// stream, but it finishes the work it was doing (an apply is never cut off half way by a closed pager)
// and exits with that work's code.

const quieted = new WeakSet<NodeJS.WriteStream>();

/** Makes EPIPE on stdout and stderr end their output quietly, once per process. */
export function quietOnClosedOutput(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const stream of streams) {
    if (quieted.has(stream)) continue;
    quieted.add(stream);
    stream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code !== "EPIPE") throw err;
      // Nobody reads any more: later writes succeed at once and go nowhere, callbacks included.
      stream.write = ((_chunk: unknown, encodingOrDone?: unknown, done?: unknown) => {
        const callback = typeof encodingOrDone === "function" ? encodingOrDone : done;
        if (typeof callback === "function") queueMicrotask(() => callback());
        return true;
      }) as typeof stream.write;
    });
  }
}
