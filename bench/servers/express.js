'use strict';
// The Express 5 hello of bench/run.sh. The app is the same for both servers: bench/run.sh starts
// it as it is for node:http, and under `node -r <uvhttp>/dist/register.js` for uvhttp (the way
// an Express app runs on uvhttp: Express's own require('node:http') then gives uvhttp).
// Usage: [node -r …/register.js] node bench/servers/express.js
const express = require('express');

const app = express();
app.get('/', (req, res) => {
  res.type('text/plain').send('Hello World');
});

// app.listen() is http.createServer(app).listen(...): the same, through the shared listen.
require('./listen')(require('node:http').createServer(app));
