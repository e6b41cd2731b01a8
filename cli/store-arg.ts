// The <store> argument every store command takes; the node resolves it (id, unambiguous id prefix, or name).
import { Args } from '@oclif/core';

export const storeArg = Args.string({ description: 'store id, unambiguous id prefix, or name', required: true });
