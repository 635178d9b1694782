import { connect as netConnect, type Socket } from 'node:net';

/**
 * The MariaDB loader's wire-level socket: a LOAD DATA file's largest packets split under the
 * server's `max_allowed_packet` (see {@link loaderSocket}). Kept apart from the load itself
 * because it rewrites the protocol's packet headers and nothing else here does.
 */

/** A plain TCP socket to the MariaDB server of `url`. */
export function tcpSocket(url: string): Socket {
  const { hostname, port } = new URL(url);
  return netConnect({ host: hostname, port: Number(port || 3306) });
}

/** The protocol's largest packet: one of this size says "the next packet continues me". */
const FULL_PACKET = 0xffffff;

/**
 * The socket under the loader's connection. The driver sends a LOAD DATA file in packets of the
 * protocol's largest size whenever its data comes faster than one packet, and the server joins
 * such packets into one, refusing it past `max_allowed_packet` (16 MB by default; the connection
 * is reset). So this socket splits each largest packet in two and numbers the packets after it
 * one further, as the protocol requires: the server then reads the same file in pieces under
 * the limit. The sequence shift ends with the command, when the server answers. The connection
 * is plain TCP (the loader's URL never asks for TLS), so the packets are there to read.
 */
export function loaderSocket(url: string): Socket {
  const socket = tcpSocket(url);
  const write = socket.write.bind(socket) as (chunk: Buffer) => boolean;
  let shift = 0;
  socket.prependListener('data', () => (shift = 0));
  socket.write = ((chunk: Buffer) => {
    const onePacket = Buffer.isBuffer(chunk) && chunk.length >= 4 && chunk.readUIntLE(0, 3) === chunk.length - 4;
    if (!onePacket) return write(chunk);
    const sequence = chunk[3]!;
    if (chunk.length - 4 !== FULL_PACKET) {
      if (shift) chunk[3] = (sequence + shift) & 0xff;
      return write(chunk);
    }
    const half = FULL_PACKET >>> 1;
    const header = (length: number, number: number) => {
      const bytes = Buffer.alloc(4);
      bytes.writeUIntLE(length, 0, 3);
      bytes[3] = number & 0xff;
      return bytes;
    };
    write(header(half, sequence + shift));
    write(chunk.subarray(4, 4 + half));
    write(header(FULL_PACKET - half, sequence + shift + 1));
    shift++;
    return write(chunk.subarray(4 + half));
  }) as typeof socket.write;
  return socket;
}
