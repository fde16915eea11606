import { MemoryStore } from '@idempo/core';
import { storeSuite } from '../src/index.js';

storeSuite('MemoryStore', () => new MemoryStore());
