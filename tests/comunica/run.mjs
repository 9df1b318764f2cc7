// Runs SPARQL queries with Comunica (query-sparql-file) and prints their answers as one JSON document.
// Input (standard input): [{"name": ..., "query": ..., "sources": [URL or local file path, ...]}, ...]
// Output: {"<name>": <SPARQL 1.1 results JSON document> or {"error": "<one line>"}, ...}
// Used by tests/server/test_fragments_comunica.py; the sources are the server's /fragments and local files.
import { QueryEngine } from '@comunica/query-sparql-file';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const jobs = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const answers = {};
for (const job of jobs) {
  const engine = new QueryEngine(); // a fresh engine per query: no HTTP cache shared between them
  try {
    const result = await engine.query(job.query, { sources: job.sources, lenient: false });
    const { data } = await engine.resultToString(result, 'application/sparql-results+json');
    let text = '';
    for await (const piece of data) text += piece;
    answers[job.name] = JSON.parse(text);
  } catch (error) {
    answers[job.name] = { error: String(error && error.message || error).split('\n')[0] };
  }
}
process.stdout.write(JSON.stringify(answers));
