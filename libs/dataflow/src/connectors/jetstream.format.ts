/** Message formats of the JetStream connector: one JSON document per record, or a msgpack array of records per message. */
export const JetStreamFormat = { Json: 'json', MsgpackBatch: 'msgpack-batch' } as const;
export type JetStreamFormat = (typeof JetStreamFormat)[keyof typeof JetStreamFormat];
