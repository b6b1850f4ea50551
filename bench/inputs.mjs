// Seeded generators of the benchmark's request files, so every run measures the same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const NAMESPACE = 'http://www.interactivebrokers.com/schemas/IBCust_import';

/** Linear congruential generator (Numerical Recipes constants); returns integers in [0, limit). */
export function createRandom(seed) {
  let state = seed >>> 0;
  return (limit) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return Math.floor((state / 2 ** 32) * limit);
  };
}

const WORDS = ['blue', 'river', 'lantern', 'maple', 'tiger', 'harbor', 'violet', 'granite', 'willow', 'comet', 'saffron', 'meadow'];
const QUESTION_IDS = ['9161083', '6688721', '9161123', '1000001', '1000002', '1000004', '1000005', '1000010'];

function answer(random) {
  return `${WORDS[random(WORDS.length)]} ${WORDS[random(WORDS.length)]} ${random(10_000)}`;
}

/** Returns one SecurityQuestions request with three different questions and answers. */
function request(random, index) {
  const first = random(QUESTION_IDS.length);
  const ids = [QUESTION_IDS[first], QUESTION_IDS[(first + 1) % QUESTION_IDS.length], QUESTION_IDS[(first + 2) % QUESTION_IDS.length]];
  const details = ids.map((id, position) => `    <Details question="${id}" answer="${answer(random)} ${position}"/>\n`).join('');
  return `  <SecurityQuestions reference_user_name="bench_user_${index}" input_language="en">\n${details}  </SecurityQuestions>\n`;
}

/**
 * Returns a batch file of at least `bytes` bytes of SecurityQuestions requests, at least one. Every
 * 500th request has a mistake (a non-numeric question id), so the diagnostics are not empty. Every
 * 100th has a character reference in an answer, which the server's fast reader of plain requests
 * leaves to its general reader, so both readers are measured.
 */
export function batchFile(bytes, seed) {
  const random = createRandom(seed);
  const parts = [`<?xml version="1.0" encoding="UTF-8"?>\n<AcctMgmtRequests xmlns="${NAMESPACE}">\n`];
  let length = parts[0].length;
  for (let index = 0; index === 0 || length < bytes; index++) {
    let text = request(random, index);
    if (index % 500 === 250) text = text.replace(/question="[0-9]+"/, 'question="pet"');
    if (index % 100 === 50) text = text.replace('answer="', 'answer="caf&#233; ');
    parts.push(text);
    length += text.length;
  }
  parts.push('</AcctMgmtRequests>\n');
  return parts.join('');
}

/** The catalog the benchmark loads, so the rules that read the question list run too. */
export const QUESTION_LIST = QUESTION_IDS.map((id, index) => ({ id, question: `Bench question ${index}?`, minAnswerLength: 3, canBeNumber: index % 2 === 0 }));

/** Writes the inputs into `folder` and returns their paths and texts. */
export function writeInputs(folder) {
  mkdirSync(folder, { recursive: true });
  const files = {
    // One request: the 3-question file.
    small: batchFile(1, 7),
    half: batchFile(512 * 1024, 11),
    five: batchFile(5 * 1024 * 1024, 13),
    fifty: batchFile(50 * 1024 * 1024, 17),
  };
  const paths = {};
  for (const [name, text] of Object.entries(files)) {
    paths[name] = path.join(folder, `${name}.ibkr.xml`);
    writeFileSync(paths[name], text);
  }
  writeFileSync(path.join(folder, 'questions.json'), JSON.stringify(QUESTION_LIST));
  return { files, paths, questionList: path.join(folder, 'questions.json') };
}
