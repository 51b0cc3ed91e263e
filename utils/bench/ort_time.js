#!/usr/bin/env node
// Times onnxruntime-node for utils/bench.py: session creation plus runs, each
// measured inside node with process.hrtime (so node's own start-up and the
// loading of the onnxruntime module are excluded), and writes every run's
// outputs in the ONNX test-data layout so they double as the reference.
//
//   node ort_time.js MODEL.onnx --threads N IN_DIR OUT_DIR [IN_DIR OUT_DIR ...]
//
// Prints one JSON object: {"threads", "create_ms", "run_ms": [...]}.

'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

// onnxruntime-node and the tensor codec are installed next to run_ort.js;
// resolve them from there rather than keeping a second node_modules here.
const ortDir = path.join(__dirname, '..', 'ort');
const requireOrt = createRequire(path.join(ortDir, 'run_ort.js'));
const { decodeTensor, encodeTensor, ORT_TO_ONNX } = requireOrt('./tensor_proto');

function fail(msg) {
  console.error(`ort_time: ${msg}`);
  process.exit(1);
}

function parseArgs(argv) {
  const pos = [];
  let threads = 1;
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--threads') {
      threads = Number(argv[++i]);
      if (!Number.isInteger(threads) || threads < 1) fail('--threads needs a positive integer');
    } else if (argv[i].startsWith('-')) {
      fail(`unknown option ${argv[i]}`);
    } else {
      pos.push(argv[i]);
    }
  }
  if (pos.length < 3 || pos.length % 2 !== 1)
    fail('usage: node ort_time.js MODEL.onnx --threads N IN_DIR OUT_DIR [IN_DIR OUT_DIR ...]');
  const pairs = [];
  for (let i = 1; i < pos.length; i += 2) pairs.push([pos[i], pos[i + 1]]);
  return { model: pos[0], threads, pairs };
}

function readFeeds(ort, session, dir) {
  const files = fs.readdirSync(dir).filter((f) => /^input_\d+\.pb$/.test(f))
      .sort((a, b) => Number(a.match(/\d+/)[0]) - Number(b.match(/\d+/)[0]));
  if (files.length !== session.inputNames.length)
    throw new Error(`model has ${session.inputNames.length} inputs, ${dir} has ${files.length}`);
  const feeds = {};
  files.forEach((f, i) => {
    const t = decodeTensor(fs.readFileSync(path.join(dir, f)));
    const name = session.inputNames.includes(t.name) ? t.name : session.inputNames[i];
    const type = Object.keys(ORT_TO_ONNX).find((k) => ORT_TO_ONNX[k] === t.dataType);
    feeds[name] = new ort.Tensor(type, t.data, t.dims);
  });
  return feeds;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let ort;
  try {
    ort = requireOrt('onnxruntime-node');
  } catch (e) {
    throw new Error('onnxruntime-node is not installed; run utils/install-deps.sh');
  }
  // Inputs are decoded before the clock starts: the simulator's figure
  // includes reading its inputs too, but that is tiny next to either run.
  const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
  const t0 = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(args.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: args.threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
  });
  const createMs = ms(t0);
  const runMs = [];
  for (const [inDir, outDir] of args.pairs) {
    const feeds = readFeeds(ort, session, inDir);
    const t1 = process.hrtime.bigint();
    const results = await session.run(feeds);
    runMs.push(ms(t1));
    fs.mkdirSync(outDir, { recursive: true });
    session.outputNames.forEach((name, i) => {
      const t = results[name];
      const bytes = encodeTensor({ name, dataType: ORT_TO_ONNX[t.type], dims: t.dims, data: t.data });
      fs.writeFileSync(path.join(outDir, `output_${i}.pb`), bytes);
    });
  }
  console.log(JSON.stringify({ threads: args.threads, create_ms: createMs, run_ms: runMs }));
}

main().catch((e) => fail(e.message.split('\n')[0]));
