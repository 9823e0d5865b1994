/** Sends an answer the report worker built (JSON or CSV bytes) without copying it. */
import type { FastifyReply } from 'fastify';

export const sendBytes = (reply: FastifyReply, type: string, bytes: Uint8Array) =>
  reply.type(type).send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

export const sendJson = (reply: FastifyReply, bytes: Uint8Array) => sendBytes(reply, 'application/json; charset=utf-8', bytes);
