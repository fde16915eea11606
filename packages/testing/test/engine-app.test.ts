import { adapterSuite } from '../src/index.js';
import { createEngineApp } from './engine-app.js';

adapterSuite('engine app (core without a framework)', (options) => createEngineApp(options));
