import { describe, expect, it } from 'vitest';
import { brownFileNames, brownWord, detokenize, stripBrownTags } from '../../src/data/brown.ts';

// Hand-written in the corpus's form C: tab-indented sentences, blank lines between paragraphs, `word/tag`.
const SAMPLE = `

\tThe/at Fulton/np-tl County/nn-tl Grand/jj-tl Jury/nn-tl said/vbd Friday/nr an/at investigation/nn of/in Atlanta's/np$ recent/jj primary/nn election/nn produced/vbd \`\`/\`\` no/at evidence/nn ''/'' that/cs any/dti irregularities/nns took/vbd place/nn ./.


\tIt/pps was/bedz won/vbn by/in Mayor-nominate/nn-tl Ivan/np Allen/np Jr./np ./.
\`\`/\`\` Only/rb a/at handful/nn was/bedz received/vbn ''/'' ,/, the/at jury/nn said/vbd ;/. it/pps cost/vbd $172,000/nns (/( or/cc 4-1/2%/nn )/) --/-- a/at lot/nn !/.

Merger/nn-hl proposed/vbn-hl 
\tHe/pps said/vbd ,/, '/' You're/ppss+ber my/pp$ man/nn '/' ,/, and/cc didn't/dod* go/vb 1-1/2/cd miles/nns ?/.
`;

describe('Brown corpus tag stripping', () => {
  it('takes the word before the last slash', () => {
    expect(brownWord('The/at')).toBe('The');
    expect(brownWord('1-1/2/cd')).toBe('1-1/2');
    expect(brownWord("Atlanta's/np$")).toBe("Atlanta's");
    expect(brownWord('./.')).toBe('.');
    expect(brownWord('untagged')).toBe('untagged');
  });

  it('strips tags, rejoins punctuation, keeps paragraphs and puts headlines on their own', () => {
    const text = stripBrownTags(SAMPLE);
    expect(text.split('\n\n')).toEqual([
      `The Fulton County Grand Jury said Friday an investigation of Atlanta's recent primary election produced "no evidence" that any irregularities took place.`,
      `It was won by Mayor-nominate Ivan Allen Jr. "Only a handful was received", the jury said; it cost $172,000 (or 4-1/2%)--a lot!`,
      'Merger proposed',
      `He said, 'You're my man', and didn't go 1-1/2 miles?`,
    ]);
    expect(text).not.toMatch(/\/[a-z$*+-]/);
  });

  it('spaces quotes and brackets sensibly', () => {
    expect(detokenize(['He', 'said', '``', 'yes', "''", '.'])).toBe('He said "yes".');
    expect(detokenize(['(', 'a', ')', 'b'])).toBe('(a) b');
    expect(detokenize(['x', '--', 'y'])).toBe('x--y');
    expect(detokenize(["'", 'Met', "'", 'is', 'back'])).toBe("'Met' is back");
    expect(detokenize(['only', "4'", "10''", "''", 'tall'])).toBe(`only 4' 10" tall`);
  });

  it('lists the corpus files in order and skips the rest', () => {
    expect(brownFileNames(['README', 'cb01', 'ca02', 'ca01', 'cats.txt', 'cr09', 'CONTENTS'])).toEqual([
      'ca01',
      'ca02',
      'cb01',
      'cr09',
    ]);
  });
});
