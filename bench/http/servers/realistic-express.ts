// Contender: the realistic app in Express 5, idiomatically: `trust proxy` with the proxies'
// addresses (req.ip, req.protocol), a host-check middleware, two async middlewares (one
// passes on, one sets x-request-id with res.set), app.get('/users/:id') answering res.json.
// ETag and X-Powered-By are off: no other contender computes or sends them.
import express from 'express';

const ALLOWED_HOST = 'app.example.com';
let requests = 0;

const app = express();
app.set('trust proxy', ['loopback', '10.0.0.0/8']);
app.set('etag', false);
app.disable('x-powered-by');

app.use(async (req, res, next) => {
  if (req.hostname !== ALLOWED_HOST) {
    res.status(400).type('text/plain').send('Invalid host header');
    return;
  }
  next();
});
app.use(async (_req, _res, next) => {
  next();
});
app.use(async (_req, res, next) => {
  res.set('x-request-id', String(++requests));
  next();
});

app.get('/users/:id', (req, res) => {
  const id = req.params.id;
  res.json({ id, name: `user ${id}`, client: req.ip, scheme: req.protocol });
});

app.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
