#!/usr/bin/env node
// SPDX-License-Identifier: BSL-1.0
// Starts dynalite (the Node.js DynamoDB implementation) for dynalock's tests, examples and benches.
//
//   node scripts/dynalite-server.js --port N [--host 127.0.0.1] [--tls-key FILE --tls-cert FILE]
//                                   [--path DIR] [--node-modules DIR]
//
// Why a launcher rather than dynalite's CLI: the CLI makes tables wait 500 ms in CREATING unless told
// otherwise, can only do TLS with a bundled certificate that expired in 2018, and listens on every
// interface by default. Through the Node API we get instant table state changes, TLS from PEM files
// generated at test time, and a loopback-only listener.
//
// Prints exactly one line, `listening <port>`, once the socket accepts connections (with --port 0 the
// port is the one the kernel chose). Exits with status 0 on SIGTERM or SIGINT.
'use strict'

const fs = require('fs')
const net = require('net')
const path = require('path')

function usage(message) {
  if (message) console.error('dynalite-server: ' + message)
  console.error('usage: node dynalite-server.js --port N [--host 127.0.0.1] ' +
                '[--tls-key FILE --tls-cert FILE] [--path DIR] [--node-modules DIR]')
  process.exit(2)
}

function parse_args(argv) {
  const args = {host: '127.0.0.1'}
  const valued = {'--port': 'port', '--host': 'host', '--tls-key': 'tls_key', '--tls-cert': 'tls_cert',
                  '--path': 'path', '--node-modules': 'node_modules'}
  for (let i = 0; i < argv.length; ++i) {
    const name = valued[argv[i]]
    if (name === undefined) usage('unknown argument ' + argv[i])
    if (i + 1 >= argv.length) usage('missing value for ' + argv[i])
    args[name] = argv[++i]
  }
  if (args.port === undefined || !/^\d+$/.test(args.port) || Number(args.port) > 65535)
    usage('--port needs a number between 0 and 65535')
  args.port = Number(args.port)
  if ((args.tls_key === undefined) !== (args.tls_cert === undefined))
    usage('--tls-key and --tls-cert go together')
  // DynamoDB Local cannot be confined to loopback, but dynalite can: never expose a test server.
  const loopback = args.host === 'localhost' || args.host === '::1' ||
                   (net.isIPv4(args.host) && args.host.startsWith('127.'))
  if (!loopback) usage('--host must be a loopback address, not ' + args.host)
  return args
}

const args = parse_args(process.argv.slice(2))
const node_modules = args.node_modules || process.env.DYNALOCK_NODE_MODULES ||
                     path.join(__dirname, '..', '.deps', 'node_modules')

let dynalite
try {
  dynalite = require(path.join(node_modules, 'dynalite'))
} catch (e) {
  console.error('dynalite-server: cannot load dynalite from ' + node_modules + ' (' + e.message +
                '); run scripts/install-deps.sh')
  process.exit(3)
}

const options = {createTableMs: 0, deleteTableMs: 0, updateTableMs: 0}
if (args.path !== undefined) options.path = args.path
if (args.tls_key !== undefined) {
  options.ssl = true
  options.key = fs.readFileSync(args.tls_key)
  options.cert = fs.readFileSync(args.tls_cert)
}

// dynalite rethrows request stream errors from inside an event handler, so a client that resets its
// connection mid-request would take the whole server down. Fault-injection tests do exactly that; a
// real DynamoDB endpoint shrugs it off, so this one must too. Anything else is a genuine crash.
const client_gone = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE'])
process.on('uncaughtException', (err) => {
  if (err && (client_gone.has(err.code) || err.message === 'aborted')) {
    console.error('dynalite-server: ignoring client disconnect: ' + err.message)
    return
  }
  console.error('dynalite-server: fatal: ' + (err && err.stack ? err.stack : err))
  process.exit(1)
})

const server = dynalite(options)
server.on('error', (err) => {
  console.error('dynalite-server: cannot listen on ' + args.host + ':' + args.port + ': ' + err.message)
  process.exit(4)
})
server.listen(args.port, args.host, () => {
  console.log('listening ' + server.address().port)
})

let stopping = false
function stop() {
  if (stopping) return
  stopping = true
  // Idle keep-alive connections would hold close() open; the data is disposable, so do not wait for
  // long: a bounded grace period, then leave regardless.
  setTimeout(() => process.exit(0), 2000).unref()
  if (typeof server.closeAllConnections === 'function') server.closeAllConnections()
  server.close(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
