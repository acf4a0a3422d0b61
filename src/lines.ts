/**
 * Lines of a byte stream, read as they arrive, each at most `maxBytes` long: a longer line is not kept
 * (its bytes are counted and dropped), so memory stays bounded whatever the input holds.
 */
export type Line = { text: string } | { tooLong: number };

export async function* boundedLines(stream: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let dropped = false;
  const finish = (): Line => {
    const line: Line = dropped ? { tooLong: size } : { text: Buffer.concat(parts).toString('utf8').replace(/\r$/, '') };
    parts = [];
    size = 0;
    dropped = false;
    return line;
  };
  const take = (piece: Buffer) => {
    size += piece.length;
    if (size > maxBytes) {
      dropped = true;
      parts = [];
    } else if (!dropped) parts.push(piece);
  };
  for await (const chunk of stream) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    let nl = buf.indexOf(10);
    while (nl >= 0) {
      take(buf.subarray(0, nl));
      yield finish();
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(10);
    }
    if (buf.length) take(buf);
  }
  if (size > 0 || dropped) yield finish();
}
