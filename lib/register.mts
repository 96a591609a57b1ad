// `node --import uvhttp/register app.mjs`: the same as the CommonJS register, for ESM apps.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('./register.js');
