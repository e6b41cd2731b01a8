// describe() helpers: declare a store type's methods; the host converts CLI arguments by this schema and shows it
// in errors (DESIGN §4.2 describe output).
import { bytesOf } from "./bytes";
import { output } from "./host";

export class Arg {
  constructor(public readonly name: string, public readonly type: string, public readonly optional: bool) {}
}

/** A mandatory argument: type is string, bytes, i64, u64, bool or list<T>. */
export function arg(name: string, type: string): Arg { return new Arg(name, type, false); }
/** An optional argument (only trailing arguments may be optional). */
export function optional(name: string, type: string): Arg { return new Arg(name, type, true); }

class Method {
  constructor(
    public readonly name: string,
    public readonly kind: string,
    public readonly args: Arg[],
    public readonly result: string,
    public readonly doc: string,
  ) {}
}

function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out += '\\"';
    else if (c == 0x5c) out += "\\\\";
    else if (c < 0x20) out += "\\u00" + (c < 0x10 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

export class Schema {
  private methods: Method[] = [];

  constructor(public readonly name: string, public readonly version: string) {}

  /** A command: validates its arguments and appends ops with log.append; result is a type or "none". */
  command(name: string, args: Arg[], result: string = "none", doc: string = ""): Schema {
    this.methods.push(new Method(name, "command", args, result, doc));
    return this;
  }

  /** A query: reads state and sets the output. */
  query(name: string, args: Arg[], result: string, doc: string = ""): Schema {
    this.methods.push(new Method(name, "query", args, result, doc));
    return this;
  }

  toJson(): string {
    let s = '{"name":' + quote(this.name) + ',"version":' + quote(this.version) + ',"methods":[';
    for (let i = 0; i < this.methods.length; i++) {
      const m = this.methods[i];
      if (i > 0) s += ",";
      s += '{"name":' + quote(m.name) + ',"kind":' + quote(m.kind) + ',"args":[';
      for (let j = 0; j < m.args.length; j++) {
        const a = m.args[j];
        if (j > 0) s += ",";
        s += '{"name":' + quote(a.name) + ',"type":' + quote(a.type) + (a.optional ? ',"optional":true}' : "}");
      }
      s += '],"result":' + quote(m.result);
      if (m.doc.length > 0) s += ',"doc":' + quote(m.doc);
      s += "}";
    }
    return s + "]}";
  }

  /** Writes the schema as the describe() output; returns 0 for `return schema.output()`. */
  output(): i32 {
    output.bytes(bytesOf(this.toJson()));
    return 0;
  }
}
