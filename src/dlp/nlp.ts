/**
 * The NLP detector: people, places, organisations, dates of birth or admission, and health conditions in
 * free text, where no pattern can describe the value.
 *
 * compromise tags some 50-75 KB/s here, while the DLP filter must pass agent output at 1 MB/s and a 2 KB
 * answer within 15 ms. So the work is done in two passes:
 *
 * 1. A cheap pass over every token (one linear scan; lexicons in Sets behind a three-letter prefix filter;
 *    context read from the few characters before a span) decides most spans by itself: "Dr. Okafor",
 *    "Dear Priya", "patient Jane Smith", a given name followed by a surname, "born on March 3rd, 1985",
 *    "COPD" in a text with an MRN. It also marks the few spans whose outcome the tagger could still change
 *    (a capitalised word no lexicon knows, a lone surname, a given name followed by an unknown word, a name
 *    that may be a verb opening the sentence).
 * 2. compromise runs only on small windows around those spans, the most useful first, batched into one
 *    call per round, until the time budget is spent. What it could not look at keeps its cheap score:
 *    running out of budget costs precision and never throws (only the scan's deadline does).
 *
 * Scores follow rules/README.md ("Scoring"): a name from the lexicons with a title or context word ≥ 0.85;
 * a full name (given name and surname from the lexicons, title case) 0.85; a lone given name 0.6; a name
 * that is also a common word ("Will", "May", "Grace": data/lexicons/ambiguous-names.txt) 0.15 unless a
 * context word supports it; a person only compromise found 0.6. A health term is PHI (≥ 0.8, HIPAA) only
 * when the text also identifies someone (a person found here, MRN, DOB, patient ID, a date of birth, or an
 * identifying finding of the pattern rules); otherwise 0.3, which the default policy (0.5) leaves alone.
 *
 * Every span is reported in the ORIGINAL text through `view.toOriginal`. The text is untrusted: nothing
 * here logs it, and every loop is linear in its length (each regular expression is sticky and bounded).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nlp from 'compromise';
import { DlpDeadlineExceeded, type Detection, type ScanView } from './detect.js';
import type { CompiledRule } from './rules.js';
import type { Category, Explanation, Regulation } from './types.js';

// =====================================================================================================
// Public surface
// =====================================================================================================

export const NLP_ENTITIES = ['PERSON', 'LOCATION', 'ORGANIZATION', 'DATE_TIME', 'HEALTH_CONDITION'] as const;
export type NlpEntity = (typeof NLP_ENTITIES)[number];

/** A detection of this module: a Detection (its `rule` is one of NLP_RULES) plus what it is. */
export interface NlpDetection extends Detection {
  entity: NlpEntity;
  category: Category;
  regulations: Regulation[];
}

/** A finding the pattern rules already made (span in the ORIGINAL text). */
export interface PriorFinding {
  start: number;
  end: number;
  type: string;
  category: Category;
}

/** Options of one scan. */
export interface NlpOptions {
  /**
   * Findings of the cheap detectors that the policy acts on. Words inside them are not looked at again
   * (they are redacted anyway), and an identifying one (identifier, contact or person category, a date of
   * birth, a medical record number, ...) makes a health term PHI.
   */
  priorFindings?: readonly PriorFinding[];
  /** The caller knows the text belongs to a record that identifies someone (e.g. another JSON member). */
  identifierElsewhere?: boolean;
  /** Detections below this score are not returned (default NLP_MIN_SCORE). */
  minScore?: number;
}

/** What one scan did, for benchmarks and tests. */
export interface NlpScan {
  detections: NlpDetection[];
  /** spans whose outcome the tagger could change */
  candidates: number;
  /** of those, how many it looked at before the budget ran out */
  tagged: number;
  /** characters handed to compromise */
  taggedChars: number;
  /** time spent in compromise (ms) */
  nlpMs: number;
  budgetExhausted: boolean;
}

/** NLP budget of one short scan (ms): a 2 KB answer must pass in 15 ms, patterns included. */
export const DEFAULT_NLP_BUDGET_MS = 8;
/** Upper bound of the budget {@link nlpBudgetMs} gives a long text (ms). */
export const MAX_NLP_BUDGET_MS = 250;
/** Detections scoring below this are not returned: they would only be noise for an auditor. */
export const NLP_MIN_SCORE = 0.2;

/** A budget that grows with the text: DEFAULT_NLP_BUDGET_MS plus 0.1 ms per KB, at most MAX_NLP_BUDGET_MS. */
export function nlpBudgetMs(textLength: number): number {
  return Math.min(MAX_NLP_BUDGET_MS, DEFAULT_NLP_BUDGET_MS + (0.1 * textLength) / 1024);
}

function nlpRule(id: string, entity: NlpEntity, category: Category, regulations: Regulation[], description: string): CompiledRule {
  return {
    id,
    pack: 'nlp',
    file: 'src/dlp/nlp.ts',
    entity,
    category,
    regulations,
    description,
    patterns: [],
    validator: undefined,
    keywords: undefined,
    context: undefined,
    examples: { match: [], nomatch: [] },
  };
}

/** The rules NLP detections carry, so that the engine handles them like any pattern's detection. */
export const NLP_RULES = {
  person: nlpRule('nlp.person', 'PERSON', 'person', ['GDPR', 'HIPAA'], "A person's name (lexicons, context words, compromise)"),
  location: nlpRule('nlp.location', 'LOCATION', 'location', ['GDPR'], 'A place someone lives in, comes from or goes to (lexicons, context words, compromise)'),
  organization: nlpRule('nlp.organization', 'ORGANIZATION', 'organization', [], 'An organisation (company suffixes, compromise)'),
  date: nlpRule('nlp.date', 'DATE_TIME', 'datetime', ['GDPR', 'HIPAA'], 'A written date of birth, admission, discharge or death'),
  health: nlpRule('nlp.health-condition', 'HEALTH_CONDITION', 'health', ['GDPR'], 'A medical condition or medication in a text that identifies nobody'),
  phi: nlpRule('nlp.phi-health-condition', 'HEALTH_CONDITION', 'health', ['HIPAA', 'GDPR'], 'A medical condition or medication in a text that identifies someone (PHI)'),
} as const satisfies Record<string, CompiledRule>;

/** data/lexicons of the checkout or of the installed package. */
export function defaultLexiconDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'lexicons');
}

// =====================================================================================================
// Prefix filter: most words are ruled out without making a string of them
// =====================================================================================================

const a2z = (c: number): number => {
  const l = c | 32;
  return l >= 97 && l <= 122 ? l - 97 : -1;
};

/**
 * Whether a word of the text may be in a word list, from its first three letters (ASCII, any case). A
 * word with anything else among them, or shorter than three, is answered from the short-word set or
 * conservatively (true): the caller then looks it up for real.
 */
class PrefixFilter {
  readonly #bits = new Uint8Array(26 * 26 * 26);
  readonly #short = new Set<string>();

  constructor(words: Iterable<string>) {
    for (const w of words) {
      if (w.length < 3) {
        this.#short.add(w.toLowerCase());
        continue;
      }
      const a = a2z(w.charCodeAt(0));
      const b = a2z(w.charCodeAt(1));
      const c = a2z(w.charCodeAt(2));
      if (a >= 0 && b >= 0 && c >= 0) this.#bits[(a * 26 + b) * 26 + c] = 1;
    }
  }

  mayHave(text: string, start: number, end: number): boolean {
    if (end - start < 3) return this.#short.size > 0 && this.#short.has(text.slice(start, end).toLowerCase());
    const a = a2z(text.charCodeAt(start));
    const b = a2z(text.charCodeAt(start + 1));
    const c = a2z(text.charCodeAt(start + 2));
    if (a < 0 || b < 0 || c < 0) return true;
    return this.#bits[(a * 26 + b) * 26 + c] === 1;
  }
}

// =====================================================================================================
// Lexicons
// =====================================================================================================

/** A phrase of the health lexicons, as tokens. */
interface HealthTerm {
  tokens: string[];
  kind: 'condition' | 'medication';
}

export interface Lexicons {
  given: ReadonlySet<string>;
  surnames: ReadonlySet<string>;
  /** names that are also common words: they need support */
  ambiguous: ReadonlySet<string>;
  /** health phrases by their first token, lowercased (entries matched in any case) */
  healthLower: ReadonlyMap<string, readonly HealthTerm[]>;
  /** health phrases by their first token as written (abbreviations such as COPD, matched as written) */
  healthExact: ReadonlyMap<string, readonly HealthTerm[]>;
  sizes: { given: number; surnames: number; ambiguous: number; conditions: number; medications: number };
}

const lexiconCache = new Map<string, Lexicons>();

function readList(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'));
}

/** Loads the lexicons of a folder once (cached). Throws when a file is missing: no silent leak. */
export function loadLexicons(dir: string = defaultLexiconDir()): Lexicons {
  const cached = lexiconCache.get(dir);
  if (cached) return cached;
  const given = new Set(readList(path.join(dir, 'given-names.txt')).map(normaliseWord));
  const surnames = new Set(readList(path.join(dir, 'surnames.txt')).map(normaliseWord));
  const ambiguous = new Set(readList(path.join(dir, 'ambiguous-names.txt')).map(normaliseWord));
  const healthLower = new Map<string, HealthTerm[]>();
  const healthExact = new Map<string, HealthTerm[]>();
  const sizes = { given: given.size, surnames: surnames.size, ambiguous: ambiguous.size, conditions: 0, medications: 0 };
  for (const kind of ['condition', 'medication'] as const) {
    const lines = readList(path.join(dir, kind === 'condition' ? 'conditions.txt' : 'medications.txt'));
    sizes[kind === 'condition' ? 'conditions' : 'medications'] = lines.length;
    for (const line of lines) {
      // A line with a capital (COPD, PrEP) matches only as written; any other in any case.
      const exact = line !== line.toLowerCase();
      const list = new TokenList(line);
      if (list.n === 0) continue;
      const tokens = Array.from({ length: list.n }, (_, i) => normaliseWord(line.slice(list.start[i], list.end[i])));
      const map = exact ? healthExact : healthLower;
      const key = tokens[0] as string;
      const bucket = map.get(key) ?? [];
      bucket.push({ tokens, kind });
      // Longest phrase first: "type 2 diabetes mellitus" before "type 2 diabetes".
      bucket.sort((a, b) => b.tokens.length - a.tokens.length);
      map.set(key, bucket);
    }
  }
  const lexicons: Lexicons = { given, surnames, ambiguous, healthLower, healthExact, sizes };
  lexiconCache.set(dir, lexicons);
  return lexicons;
}

function normaliseWord(w: string): string {
  return w.includes('\u2019') ? w.replace(/\u2019/g, "'") : w;
}

const NON_ASCII = /[\u0080-\uffff]/;

/** Strips accents, so that a text written without them still meets the lexicons ("zoë" → "zoe"). */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').replace(/ß/g, 'ss').replace(/ø/g, 'o').replace(/ł/g, 'l').replace(/ı/g, 'i');
}

/** What compromise's own lexicon knows, plus the prefix filters of every list: built once, on first use. */
interface WordKnowledge {
  /** words with a part of speech that is not a name, place or organisation */
  common: Set<string>;
  /** cities, countries and regions, multi-word ones space-separated */
  places: Set<string>;
  /** first words of those places */
  placeFirst: Set<string>;
  /** organisation names (single words) */
  orgs: Set<string>;
  /** words that end an organisation's name ("hospital", "ltd") */
  orgWords: Set<string>;
}

let knowledge: WordKnowledge | undefined;

function isStringOrStrings(v: unknown): v is string | string[] {
  return typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
}

function wordKnowledge(): WordKnowledge {
  if (knowledge) return knowledge;
  const model = nlp.model() as { one?: { lexicon?: Record<string, unknown> }; two?: { orgWords?: Record<string, unknown> } };
  const k: WordKnowledge = { common: new Set(), places: new Set(), placeFirst: new Set(), orgs: new Set(), orgWords: new Set(ORG_SUFFIXES) };
  const nameTags = new Set(['Person', 'FirstName', 'MaleName', 'FemaleName', 'LastName', 'Honorific']);
  for (const [word, raw] of Object.entries(model.one?.lexicon ?? {})) {
    if (!isStringOrStrings(raw)) continue;
    const tags = typeof raw === 'string' ? [raw] : raw;
    if (tags.some((t) => t === 'City' || t === 'Country' || t === 'Region')) {
      k.places.add(word);
      k.placeFirst.add(word.split(' ')[0] as string);
    } else if (tags.includes('Organization') || tags.includes('SportsTeam')) {
      if (!word.includes(' ')) k.orgs.add(word);
    } else if (!tags.some((t) => nameTags.has(t))) {
      k.common.add(word);
    }
  }
  for (const w of Object.keys(model.two?.orgWords ?? {})) k.orgWords.add(w);
  for (const w of COMMON_CAPITALISED) k.common.add(w);
  knowledge = k;
  return k;
}

// =====================================================================================================
// Word lists (small and fixed; the large ones are data/lexicons)
// =====================================================================================================

const words = (s: string): string[] => s.split(/\s+/).filter((w) => w.length > 0);

type ContextKind = 'title' | 'greeting' | 'patient' | 'intro' | 'key' | 'signature' | 'role' | 'weak' | 'determiner';

/** Titles before a name: the strongest evidence there is ("Dr. Okafor", "Pt. María González"). */
const TITLES = new Set(
  words(`dr doctor mr mrs ms mx miss prof professor sir dame lord lady rev fr sr sra srta herr frau mme mlle dott
  dra ing pt capt sgt lt col hon judge sheikh imam rabbi pastor nurse`),
);
/** Abbreviations after which a period does not end the sentence. */
const ABBREVIATIONS = new Set(words('dr mr mrs ms mx prof rev fr sr sra srta mme mlle dott dra pt st capt sgt lt col hon jr no vs etc inc ltd co corp dept'));
/** Single words right before a name (one space apart) and what they prove. */
const CONTEXT_WORDS: ReadonlyMap<string, ContextKind> = new Map<string, ContextKind>([
  ...words('dear hi hello hey greetings hiya howdy').map((w): [string, ContextKind] => [w, 'greeting']),
  ...words('patient inpatient outpatient').map((w): [string, ContextKind] => [w, 'patient']),
  ...words(
    `employee customer client colleague coworker co-worker applicant candidate tenant guest passenger student
    pupil subscriber beneficiary caregiver guardian spouse wife husband son daughter mother father brother
    sister mom dad mum aunt uncle grandmother grandfather cousin friend boss physician surgeon therapist`,
  ).map((w): [string, ContextKind] => [w, 'role']),
  ...words('ask asked tell told ping pinged cc met meet call called email emailed thank thanks contact contacted invite invited hired promoted says said kid').map((w): [string, ContextKind] => [w, 'weak']),
  ...words('the a an this that these those our your their its every each some any no').map((w): [string, ContextKind] => [w, 'determiner']),
]);
/** Phrases right before a name, matched on word boundaries. */
const CONTEXT_PHRASES: ReadonlyArray<[string, ContextKind]> = [
  ['my name is', 'intro'],
  ['name is', 'intro'],
  ['call me', 'intro'],
  ['calls me', 'intro'],
  ['i am', 'intro'],
  ["i'm", 'intro'],
  ['this is', 'intro'],
  ['named', 'intro'],
  ['was called', 'intro'],
  ['is called', 'intro'],
  ['spoke with', 'weak'],
  ['talked to', 'weak'],
  ['according to', 'weak'],
  ['assigned to', 'weak'],
  ['reports to', 'weak'],
  ['on behalf of', 'weak'],
];
/** Keys of a record or header whose value is a name ("name:", "From:", `"patient": "`): need ':' '=' or '"'. */
const NAME_KEYS = new Set(
  words(`name fullname full_name first_name last_name firstname lastname surname given_name family_name
  display_name displayname patient patient_name customer customer_name client client_name employee
  employee_name contact contact_name author owner assignee reporter recipient sender from to cc bcc attendee
  member beneficiary applicant guardian spouse physician doctor provider nurse signatory witness
  emergency_contact next_of_kin insured subscriber holder cardholder account_holder user requester
  requested_by created_by approved_by signed_by pt`),
);
/** "signed by X": a name after one of these + "by". */
const BY_VERBS = new Set(words('prepared signed reviewed approved written authored submitted referred seen examined treated attended created requested reported assigned sent'));
/** Letter closers before a signature ("Best,\nChidi Okafor"). */
const CLOSERS = new Set(words('best regards thanks cheers sincerely yours warmly respectfully thx'));
/** Words right after a lone ambiguous name that show it is one ("Will said"). */
const AFTER_NAME = new Set(words('said says wrote writes asked asks replied replies mentioned told called emailed thinks thought agreed signed joined confirmed'));
/** Months that are also names: never called by name ("in May, June."). */
const MONTH_NAMES = new Set(words('january february march april may june july august september october november december'));
/** Name particles between a name's parts ("Ludwig van Beethoven", "María de la Cruz", "Ahmed bin Salem"). */
const PARTICLES = new Set(words('de del della der den di da das dos du la le van von ter ten al el bin ibn bint binti ben af zu y'));
/** A run ending in one of these is an organisation, not a person ("Mercy General Hospital", "Okafor Ltd"). */
const ORG_SUFFIXES = words(`inc incorporated ltd ltda limited llc llp plc pty gmbh ag sa sarl srl spa bv nv oy corp corporation
  co company group holdings partners hospital clinic university college institute foundation bank trust
  association agency labs laboratories technologies solutions pharmaceuticals pharma insurance healthcare
  health medical retail logistics systems energy capital ventures media software analytics consulting
  industries enterprises networks motors airlines foods brands studios games digital global international
  resources services`);
/** A run ending in (or followed by) one of these is a street: the pattern rules report addresses. */
const STREET_SUFFIXES = new Set(
  words(`street st road rd avenue ave lane ln boulevard blvd drive court ct place pl way terrace close crescent
  square sq parkway pkwy highway hwy alley plaza row straße strasse str weg allee platz gasse rue avenida
  calle via rua piazza viale`),
);
/**
 * Capitalised words frequent in agent output that are no names and that compromise's lexicon does not list
 * (it holds irregular words, not every noun): greetings' addressees, UI labels, months, software names.
 */
const COMMON_CAPITALISED = words(`team all everyone everybody there folks guys colleagues friends sir madam
  customer customers user users admin admins support client clients member members partner partners reviewer
  reviewers hiring manager managers world
  settings save cancel submit delete edit update upload download login logout signup sign dashboard profile
  account accounts home search filter sort export import print share copy paste undo redo open close next
  previous back continue finish done okay yes error errors warning warnings info debug trace fatal critical
  notice note notes summary status result results output input request response production staging
  development release releases version build deploy deployment pipeline branch merge commit tag issue issues
  ticket tickets bug bugs feature features task tasks project projects report reports invoice invoices order
  orders payment payments revenue sales marketing finance legal security privacy compliance engineering
  operations ops hr it api apis sdk cli ui ux app apps web cloud server servers database databases cluster
  node nodes service services network actions action workflow workflows monday tuesday wednesday thursday
  friday saturday sunday january february march july september october november december
  postgres postgresql mysql mariadb sqlite mongodb kubernetes docker github gitlab bitbucket jira confluence
  slack teams zoom outlook gmail excel word powerpoint linux windows macos ios android chrome firefox safari
  edge npm yarn pnpm pip javascript typescript golang rustc kotlin scala php laravel symfony spring
  nginx apache tomcat kafka rabbitmq elasticsearch kibana grafana prometheus terraform ansible vagrant
  openai anthropic claude gpt chatgpt copilot gemini llama mistral huggingface azure aws gcp google
  microsoft apple amazon meta netflix uber stripe paypal twilio shopify salesforce zendesk hubspot
  datadog sentry vercel netlify heroku cloudflare okta firebase supabase
  readme changelog license makefile dockerfile json yaml xml html css sql graphql rest grpc http https url
  uuid id ids csv pdf png jpg svg utc gmt est pst
  company business health medical insurance department number code card address phone email date time`);
const COMMON_CAPITALISED_SET = new Set(COMMON_CAPITALISED);
/** Words that never continue a name ("James And", "Maria Is"). */
const FUNCTION_WORDS = new Set(
  words(`and or but nor of to in on at by for with from as into about after before over under is are was were be been
  has have had do does did will would can could should may might must not no yes so if then than when where who
  what which why how i you he she it we they me him her us them my your his its our their`),
);
/**
 * Endings of English (and German) nouns and adjectives that names do not have: an unknown capitalised
 * word with one ("Payable", "Identifier", "Insurance", "Vertragsnummer") is a common word, not worth
 * the tagger's time.
 */
const COMMON_ENDINGS = words(`tion sion ment ness ity ance ence able ible ical ism ship hood ware ics ive ous ful less ifier izer
  ization ized ising izing ated ating ung heit keit schaft nummer`);

/** Phrases before a place that make it someone's ("lives in Lagos"), by their last word; value: the raise. */
const RESIDENCE_PHRASES: ReadonlyMap<string, ReadonlyArray<[string, number]>> = (() => {
  const strong = ['lives in', 'live in', 'living in', 'lived in', 'moved to', 'moving to', 'moved here from', 'relocated to', 'relocating to', 'born in', 'resides in', 'residing in', 'resident of', 'native of', 'originally from', 'grew up in', 'hometown', 'home town', 'home in', 'address', 'city', 'town', 'village', 'country', 'province', 'birthplace', 'place of birth', 'ship to', 'shipped to', 'deliver to', 'delivered to', 'comes from', 'came from', "i'm from", 'i am from', 'is from', 'are from', 'was from'];
  const weak = ['travelling to', 'traveling to', 'flew to', 'flying to', 'trip to', 'visiting', 'visited', 'i am in', "i'm in", 'based in', 'located in', 'staying in', 'stay in'];
  const map = new Map<string, Array<[string, number]>>();
  for (const [list, by] of [
    [strong, 0.3],
    [weak, 0.15],
  ] as const) {
    for (const phrase of list) {
      const last = phrase.slice(phrase.lastIndexOf(' ') + 1);
      const bucket = map.get(last) ?? [];
      bucket.push([phrase, by]);
      bucket.sort((a, b) => b[0].length - a[0].length);
      map.set(last, bucket);
    }
  }
  return map;
})();

/** Words that make a nearby written date personal, and how. */
const DATE_CONTEXT: ReadonlyMap<string, 'birth' | 'care'> = new Map<string, 'birth' | 'care'>([
  ...words('dob born birthday birthdate birth').map((w): [string, 'birth'] => [w, 'birth']),
  ...words('admitted admission readmitted discharged discharge died death deceased').map((w): [string, 'care'] => [w, 'care']),
]);
/** Words allowed between a date context word and the date ("born on the", "DOB is", "date of admission:"). */
const DATE_FILLER = new Set(words('on is was were the date of birth at in dob d o b admission discharge death admitted discharged born day her his their patient'));
/** Words that identify a patient or a record: with one in the text, a health term is PHI. */
const IDENTIFIER_WORDS = ['mrn', 'medical record', 'patient id', 'patient number', 'patient name', 'date of birth', 'dob', 'd.o.b', 'birth date', 'birthdate', 'ssn', 'social security', 'member id', 'nhs number', 'medicare number', 'insurance id', 'health plan'];
/** Prior finding types that identify someone, beside the identifier, contact and person categories. */
const IDENTIFYING_TYPES = new Set(['MEDICAL_RECORD_NUMBER', 'HEALTH_PLAN_ID', 'US_MBI', 'DATE_TIME', 'UK_NHS', 'AU_MEDICARE']);
const IDENTIFYING_CATEGORIES = new Set<Category>(['identifier', 'contact', 'person']);

/** Words that may precede a lowercase name ("dr. okafor", "hi priya", "name: jane smith", "my name is ana"). */
const LOWERCASE_NAME_LEAD = new PrefixFilter([...TITLES, ...words('dear hi hello hey patient name is am me'), ...[...NAME_KEYS].map((k) => k.slice(k.lastIndexOf('_') + 1))]);
const DATE_WORDS = [...DATE_CONTEXT.keys(), 'b'];

// =====================================================================================================
// Tokens
// =====================================================================================================

const F_UPPER_FIRST = 1; // first letter is a capital
const F_ALL_UPPER = 2; // every letter is a capital (two or more)
const F_DIGIT = 4; // holds a digit
const F_CODE = 8; // part of an identifier, path, call or camelCase word: never a name
const F_SEG_START = 16; // first token of a sentence, line, field or cell
const F_LOWER_FIRST = 32; // first letter is lowercase

/** Per UTF-16 unit ≥ 0xC0: 0 not yet known, 1 a letter, mark or digit, 2 not. */
const unitClass = new Uint8Array(65536);
const WORD_UNIT = /^[\p{L}\p{M}\p{N}]$/u;

function isWordUnit(c: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
  if (c < 0xc0 || (c >= 0xd800 && c <= 0xdfff)) return false;
  let k = unitClass[c];
  if (k === 0) {
    k = WORD_UNIT.test(String.fromCharCode(c)) ? 1 : 2;
    unitClass[c] = k;
  }
  return k === 1;
}

function isUpperUnit(c: number): boolean {
  if (c < 128) return c >= 65 && c <= 90;
  const ch = String.fromCharCode(c);
  return ch !== ch.toLowerCase();
}

function isApostrophe(c: number): boolean {
  return c === 39 || c === 0x2019;
}

const CAMEL_PREFIXES = new Set(words('mc mac de di da la le van von du st fitz'));
const charSet = (s: string): Uint8Array => {
  const set = new Uint8Array(128);
  for (const ch of s) set[ch.charCodeAt(0)] = 1;
  return set;
};
/** Right before a token, these make it code: `_Grace`, `/Will`, `#Mark`, `<May`, `$Bill`. */
const CODE_BEFORE = charSet('_/\\#$<>{~^*%&|`');
/** Right after a token, these make it code: `Grace(`, `Will_`, `Mark/`, `Bill[`. */
const CODE_AFTER = charSet('_(/\\#$<>[{~^*%&|`');
/** Between tokens, these end a segment (sentence, line, field, cell). */
const SEGMENT_BREAK = charSet('\n\r\t"|{}[];:()!?');

/**
 * The words of a text: letters and digits, joined by an inner ' ’ or - ("O'Brien", "al-Rashid", "COVID-19"),
 * with their shape and segment. One pass, linear; offsets are UTF-16 indices of the text.
 */
class TokenList {
  start: Int32Array;
  end: Int32Array;
  flags: Uint8Array;
  seg: Int32Array;
  n = 0;

  constructor(text: string) {
    const len = text.length;
    let cap = Math.max(16, len >> 3);
    this.start = new Int32Array(cap);
    this.end = new Int32Array(cap);
    this.flags = new Uint8Array(cap);
    this.seg = new Int32Array(cap);
    let i = 0;
    let seg = 0;
    let prevEnd = -1;
    let prevAbbrev = false;
    while (i < len) {
      let c = text.charCodeAt(i);
      if (!isWordUnit(c)) {
        i++;
        continue;
      }
      const start = i;
      let flags = 0;
      let upper = 0;
      let lower = 0;
      let camelAt = -1;
      let prevLower = false;
      for (;;) {
        if (c >= 97 && c <= 122) {
          if (i === start) flags |= F_LOWER_FIRST;
          lower++;
          prevLower = true;
        } else if (c >= 65 && c <= 90) {
          if (i === start) flags |= F_UPPER_FIRST;
          else if (prevLower && camelAt < 0) camelAt = i;
          upper++;
          prevLower = false;
        } else if (c >= 48 && c <= 57) {
          flags |= F_DIGIT;
          prevLower = false;
        } else if (c >= 0xc0) {
          const ch = String.fromCharCode(c);
          if (ch !== ch.toLowerCase()) {
            if (i === start) flags |= F_UPPER_FIRST;
            else if (prevLower && camelAt < 0) camelAt = i;
            upper++;
            prevLower = false;
          } else if (ch !== ch.toUpperCase()) {
            if (i === start) flags |= F_LOWER_FIRST;
            lower++;
            prevLower = true;
          }
        }
        i++;
        c = i < len ? text.charCodeAt(i) : 32;
        if (isWordUnit(c)) continue;
        // An inner apostrophe or hyphen joins; a capital right after it is no camel ("O'Brien").
        if ((isApostrophe(c) || c === 45) && i + 1 < len && isWordUnit(text.charCodeAt(i + 1))) {
          i++;
          c = text.charCodeAt(i);
          prevLower = false;
          continue;
        }
        break;
      }
      if (upper >= 2 && lower === 0) flags |= F_ALL_UPPER;
      if (camelAt >= 0 && !CAMEL_PREFIXES.has(text.slice(start, camelAt).toLowerCase())) flags |= F_CODE;
      const before = start > 0 ? text.charCodeAt(start - 1) : 32;
      const after = i < len ? text.charCodeAt(i) : 32;
      if ((before < 128 && CODE_BEFORE[before] === 1) || (after < 128 && CODE_AFTER[after] === 1)) flags |= F_CODE;
      // `obj.Name`, `Name.method`: a period glued to a word on both sides.
      if (before === 46 && start > 1 && isWordUnit(text.charCodeAt(start - 2))) flags |= F_CODE;
      if (after === 46 && i + 1 < len && isWordUnit(text.charCodeAt(i + 1))) flags |= F_CODE;
      if (prevEnd < 0) {
        flags |= F_SEG_START;
      } else {
        // A new segment after a break character, a long gap, or a period that is no "Dr." or initial.
        let brk = start - prevEnd > 24;
        for (let k = prevEnd; k < start && !brk; k++) {
          const g = text.charCodeAt(k);
          if ((g < 128 && SEGMENT_BREAK[g] === 1) || (g === 46 && !prevAbbrev)) brk = true;
        }
        if (brk) {
          seg++;
          flags |= F_SEG_START;
        }
      }
      if (this.n === cap) {
        cap *= 2;
        this.start = grow(this.start, cap);
        this.end = grow(this.end, cap);
        this.seg = grow(this.seg, cap);
        const f = new Uint8Array(cap);
        f.set(this.flags);
        this.flags = f;
      }
      this.start[this.n] = start;
      this.end[this.n] = i;
      this.flags[this.n] = flags;
      this.seg[this.n] = seg;
      this.n++;
      prevEnd = i;
      prevAbbrev = i - start === 1 || (i - start <= 4 && ABBREVIATIONS.has(text.slice(start, i).toLowerCase()));
    }
  }
}

function grow(a: Int32Array, cap: number): Int32Array {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}

// =====================================================================================================
// One scan
// =====================================================================================================

type NameClass = 'G' | 'S' | 'A' | 'I' | 'U';

interface Part {
  /** token index */
  t: number;
  cls: NameClass;
}

/** What the tagger is asked about a pending detection. */
type Question = 'confirm-unknown' | 'lone-surname' | 'unknown-run' | 'ambiguous-unknown' | 'ambiguous-lead';

interface Context {
  kind: ContextKind;
  word: string;
}

interface Pending {
  entity: NlpEntity;
  /** token range, inclusive */
  first: number;
  last: number;
  score: number;
  base: number;
  pattern: string;
  context: Explanation['context'];
  parts?: Part[];
  question?: Question;
  phi?: boolean;
}

interface TermInfo {
  tags: ReadonlySet<string>;
}

interface CompromiseTerm {
  tags?: Set<string>;
  offset?: { start: number; length: number };
}

interface CompromiseDoc {
  docs: CompromiseTerm[][];
  compute(method: string): unknown;
}

/** Words of context each side of a span handed to compromise. */
const NLP_WINDOW_TOKENS = 4;
/** Estimated compromise cost before any measurement (ms per character), and its fixed cost per call. */
const INITIAL_MS_PER_CHAR = 0.02;
const MS_PER_CALL = 0.5;
const PHI_SCORE = 0.8;
const PHI_NEAR_SCORE = 0.85;
const PHI_NEAR_CHARS = 300;
const HEALTH_SCORE = 0.3;
const DEADLINE_CHECK_EVERY = 1024;
/**
 * compromise tags that make a capitalised word no name. Not Adverb or Adjective: compromise guesses those
 * from a word's ending, and "Tilly", "Emily" end like adverbs.
 */
const NOT_A_NAME_TAGS = ['Verb', 'Modal', 'Imperative', 'Infinitive', 'Month', 'Date', 'Preposition', 'Place', 'Organization'];

const round = (x: number): number => Math.round(Math.min(1, Math.max(0, x)) * 1000) / 1000;

/** The state of one scan of one view. */
class Scan {
  readonly text: string;
  readonly lower: string;
  readonly tk: TokenList;
  readonly #lowers: Array<string | undefined>;
  readonly #sameLength: boolean;
  readonly pending: Pending[] = [];
  readonly health: Pending[] = [];
  readonly skip: Uint8Array;

  constructor(
    text: string,
    readonly lx: Lexicons,
    readonly kw: WordKnowledge,
    readonly filters: Filters,
  ) {
    this.text = text;
    this.lower = text.toLowerCase();
    this.#sameLength = this.lower.length === text.length;
    this.tk = new TokenList(text);
    this.#lowers = new Array<string | undefined>(this.tk.n);
    this.skip = new Uint8Array(this.tk.n);
  }

  startOf(i: number): number {
    return this.tk.start[i] as number;
  }

  endOf(i: number): number {
    return this.tk.end[i] as number;
  }

  flag(i: number, f: number): boolean {
    return ((this.tk.flags[i] as number) & f) !== 0;
  }

  lowerOf(i: number): string {
    let w = this.#lowers[i];
    if (w === undefined) {
      const s = this.startOf(i);
      const e = this.endOf(i);
      w = normaliseWord(this.#sameLength ? this.lower.slice(s, e) : this.text.slice(s, e).toLowerCase());
      this.#lowers[i] = w;
    }
    return w;
  }

  /** Whether tokens a and b (a < b) are one or two spaces apart. */
  adjacent(a: number, b: number): boolean {
    return gapIsSpace(this.text, this.endOf(a), this.startOf(b));
  }

  nameClassOf(i: number): NameClass | undefined {
    const w = stem(this.lowerOf(i));
    const cls = lexiconClass(this.lx, w);
    if (cls !== undefined || !NON_ASCII.test(w)) return cls;
    const f = fold(w);
    return f !== w ? lexiconClass(this.lx, f) : undefined;
  }

  isCommon(w: string): boolean {
    return this.kw.common.has(w) || CONTEXT_WORDS.has(w) || CLOSERS.has(w) || AFTER_NAME.has(w) || PARTICLES.has(w);
  }

  /** A word that is capitalised for its own sake (UI labels, software, months, greetings' addressees). */
  isCommonCapitalised(w: string): boolean {
    return COMMON_CAPITALISED_SET.has(w) || CONTEXT_WORDS.has(w) || CLOSERS.has(w) || AFTER_NAME.has(w) || PARTICLES.has(w) || FUNCTION_WORDS.has(w);
  }

  /** An unknown capitalised word that may still be a name, place or organisation (worth the tagger). */
  mayBeProper(w: string): boolean {
    // One letter is a list item or an initial; a long word is a compound noun ("Gewerkschaftsmitglied").
    if (w.length < 2 || w.length > 14 || this.isCommon(w)) return false;
    for (const ending of COMMON_ENDINGS) if (w.length > ending.length + 2 && w.endsWith(ending)) return false;
    return true;
  }

  isInitial(i: number): boolean {
    return this.endOf(i) - this.startOf(i) === 1 && this.flag(i, F_UPPER_FIRST) && this.text.charCodeAt(this.endOf(i)) === 46;
  }

  isTitle(i: number): boolean {
    return TITLES.has(this.lowerOf(i));
  }

  /** The lowercase text (up to 48 characters) before a position, without the separators right before it. */
  before(pos: number): { hay: string; sep: string } {
    let k = pos;
    const floor = Math.max(0, pos - 48);
    let sep = '';
    while (k > floor) {
      const c = this.text.charCodeAt(k - 1);
      // space : = , newline quote tab
      if (c === 32 || c === 58 || c === 61 || c === 44 || c === 10 || c === 13 || c === 34 || c === 39 || c === 9) {
        sep += String.fromCharCode(c);
        k--;
      } else break;
    }
    return { hay: this.#sameLength ? this.lower.slice(floor, k) : this.text.slice(floor, k).toLowerCase(), sep };
  }

  /** The context before token i: a title, a greeting, a record key, a signature closer, a determiner, ... */
  contextBefore(i: number): Context | undefined {
    const { hay, sep } = this.before(this.startOf(i));
    const h = hay.endsWith('.') ? hay.slice(0, -1) : hay;
    const last = lastWord(h);
    if (last === undefined) return undefined;
    const spaced = /^ {1,2}$/.test(sep);
    // A title stands on its own: "fr" in "orange.fr. Chase the supplier" is no "Fr." (Father).
    const lead = h.length > last.length ? h.charCodeAt(h.length - last.length - 1) : 32;
    const standsAlone = lead === 32 || lead === 10 || lead === 40 || lead === 34 || lead === 44 || lead === 9;
    if (TITLES.has(last) && standsAlone && (spaced || sep === '')) return { kind: 'title', word: last };
    if (/[:="']/.test(sep)) {
      const key = lastKey(hay);
      return key !== undefined && NAME_KEYS.has(key) ? { kind: 'key', word: key } : undefined;
    }
    if (CLOSERS.has(last) && /[,\n]/.test(sep)) return { kind: 'signature', word: last };
    const kind = CONTEXT_WORDS.get(last);
    // A greeting may take a comma ("Hi, Sven"); other words must stand right before the name.
    if (kind === 'greeting' && /^[ ,]{1,3}$/.test(sep)) return { kind, word: last };
    if (!spaced) return undefined;
    for (const [phrase, k] of CONTEXT_PHRASES) if (endsWithWord(h, phrase)) return { kind: k, word: phrase };
    if (last === 'by') {
      const prev = lastWord(h.slice(0, -2).trimEnd());
      return prev !== undefined && BY_VERBS.has(prev) ? { kind: 'key', word: `${prev} by` } : undefined;
    }
    return kind === undefined ? undefined : { kind, word: last };
  }

  /** The residence or travel phrase right before position pos, and its raise. */
  residenceBefore(pos: number): [string, number] | undefined {
    const { hay } = this.before(pos);
    const last = lastWord(hay);
    if (last === undefined) return undefined;
    for (const entry of RESIDENCE_PHRASES.get(last) ?? []) if (endsWithWord(hay, entry[0])) return entry;
    return undefined;
  }
}

interface Filters {
  health: PrefixFilter;
}

const filterCache = new WeakMap<Lexicons, Filters>();

function filtersFor(lx: Lexicons): Filters {
  let f = filterCache.get(lx);
  if (f === undefined) {
    f = { health: new PrefixFilter([...lx.healthLower.keys(), ...lx.healthExact.keys(), ...DATE_WORDS]) };
    filterCache.set(lx, f);
  }
  return f;
}

/**
 * Finds people, places, organisations, personal dates and health terms. Lexicons load on first use and are
 * shared by every detector of the same folder.
 */
export class EntityDetector {
  readonly #dir: string;
  #msPerChar = INITIAL_MS_PER_CHAR;

  constructor(options: { lexiconDir?: string } = {}) {
    this.#dir = options.lexiconDir ?? defaultLexiconDir();
  }

  get lexicons(): Lexicons {
    return loadLexicons(this.#dir);
  }

  /** The detections of {@link scan}. */
  detect(view: ScanView, budgetMs: number, deadline: number, options: NlpOptions = {}): NlpDetection[] {
    return this.scan(view, budgetMs, deadline, options).detections;
  }

  /**
   * Scans one view. `budgetMs` caps the time spent in compromise; `deadline` (a Date.now() value) is the
   * whole scan's: past it DlpDeadlineExceeded is thrown, and the engine fails closed.
   */
  scan(view: ScanView, budgetMs: number, deadline: number, options: NlpOptions = {}): NlpScan {
    const lx = this.lexicons;
    const s = new Scan(view.text, lx, wordKnowledge(), filtersFor(lx));
    markCovered(s, view, options.priorFindings);
    let steps = 0;
    const tick = (): void => {
      if (++steps % DEADLINE_CHECK_EVERY === 0 && Date.now() > deadline) throw new DlpDeadlineExceeded();
    };
    findHealthAndDates(s, tick);
    findNames(s, tick);
    boostNameLists(s);
    const stats = this.#runTagger(s, budgetMs, deadline);
    const final = s.pending.filter((p) => p.score > 0);
    final.push(...markPhi(s, view, final, options));

    const minScore = options.minScore ?? NLP_MIN_SCORE;
    const detections: NlpDetection[] = [];
    for (const p of final) {
      if (p.score < minScore) continue;
      const start = s.startOf(p.first);
      let end = s.endOf(p.last);
      // "Maria's laptop": the name is "Maria".
      if (p.entity !== 'HEALTH_CONDITION' && end - start > 3 && isApostrophe(s.text.charCodeAt(end - 2)) && (s.text.charCodeAt(end - 1) | 32) === 115) end -= 2;
      const rule = ruleFor(p);
      const explanation: Explanation = { rule: rule.id, pattern: p.pattern, baseScore: round(p.base), context: p.context };
      if (view.label !== undefined) explanation.normalisation = view.label;
      const span = view.toOriginal(start, end);
      detections.push({
        rule,
        entity: p.entity,
        category: rule.category,
        regulations: [...rule.regulations],
        start: span.start,
        end: span.end,
        score: round(p.score),
        value: s.text.slice(start, end),
        explanation,
      });
    }
    detections.sort((a, b) => a.start - b.start || b.end - a.end);
    return { detections, ...stats };
  }

  /** Runs compromise on windows around the pending spans that asked a question, most useful first. */
  #runTagger(s: Scan, budgetMs: number, deadline: number): Omit<NlpScan, 'detections'> {
    const asks = s.pending.filter((p) => p.question !== undefined);
    const stats = { candidates: asks.length, tagged: 0, taggedChars: 0, nlpMs: 0, budgetExhausted: false };
    if (asks.length === 0) return stats;
    // Spans the lexicons already half-know first; unknown capitalised words (mostly product names) last.
    const rank = (q: Question | undefined): number => (q === 'unknown-run' || q === 'ambiguous-unknown' ? 1 : 0);
    asks.sort((a, b) => rank(a.question) - rank(b.question) || a.first - b.first);
    const started = performance.now();
    let next = 0;
    while (next < asks.length) {
      if (Date.now() > deadline) throw new DlpDeadlineExceeded();
      const left = budgetMs - (performance.now() - started);
      if (left < MS_PER_CALL + 20 * this.#msPerChar) {
        stats.budgetExhausted = true;
        break;
      }
      // One batch: the windows the budget left is estimated to allow (at least one), merged where they overlap.
      const room = Math.max(1, (left - MS_PER_CALL) / this.#msPerChar);
      const batch: Pending[] = [];
      const spans: Array<[number, number]> = [];
      let length = 0;
      while (next < asks.length) {
        const p = asks[next] as Pending;
        const [from, to] = nlpWindow(p, s.tk, s.text.length);
        if (batch.length > 0 && length + (to - from) > room) break;
        batch.push(p);
        spans.push([from, to]);
        length += to - from + 2;
        next++;
      }
      spans.sort((a, b) => a[0] - b[0]);
      const windows: Array<{ from: number; to: number; at: number }> = [];
      for (const [from, to] of spans) {
        const prev = windows[windows.length - 1];
        if (prev && from <= prev.to) prev.to = Math.max(prev.to, to);
        else windows.push({ from, to, at: 0 });
      }
      let at = 0;
      for (const w of windows) {
        w.at = at;
        at += w.to - w.from + 2;
      }
      // A blank line between windows: compromise takes them as separate sentences.
      const input = windows.map((w) => s.text.slice(w.from, w.to)).join('\n\n');
      const t0 = performance.now();
      const terms = tagWindows(input, windows);
      const ms = performance.now() - t0;
      // Learn the real cost per character (damped: the first call also pays compromise's warm-up).
      this.#msPerChar = Math.min(0.1, Math.max(0.002, 0.7 * this.#msPerChar + (0.3 * Math.max(0, ms - MS_PER_CALL)) / Math.max(1, input.length)));
      stats.taggedChars += input.length;
      stats.tagged += batch.length;
      for (const p of batch) answer(s, p, terms);
    }
    stats.nlpMs = Math.round((performance.now() - started) * 1000) / 1000;
    return stats;
  }
}

/** Marks tokens inside spans the patterns already act on: they are redacted anyway. */
function markCovered(s: Scan, view: ScanView, prior: readonly PriorFinding[] | undefined): void {
  if (!prior || prior.length === 0) return;
  const spans = [...prior].sort((a, b) => a.start - b.start);
  let k = 0;
  for (let i = 0; i < s.tk.n; i++) {
    // Compared in the original's offsets: the view may have removed or folded characters.
    const o = view.toOriginal(s.startOf(i), s.endOf(i));
    while (k < spans.length && (spans[k] as PriorFinding).end <= o.start) k++;
    const f = spans[k];
    if (f && f.start <= o.start && o.end <= f.end) s.skip[i] = 1;
  }
}

// -----------------------------------------------------------------------------------------------------
// Health terms and personal dates
// -----------------------------------------------------------------------------------------------------

function findHealthAndDates(s: Scan, tick: () => void): void {
  const { tk, text, lx } = s;
  const filter = s.filters.health;
  for (let i = 0; i < tk.n; i++) {
    tick();
    if (s.skip[i] || !filter.mayHave(text, s.startOf(i), s.endOf(i))) continue;
    const w = s.lowerOf(i);
    const dateKind = w === 'b' ? (s.lower.startsWith('d.o.', s.startOf(i) - 4) ? 'birth' : undefined) : DATE_CONTEXT.get(w);
    if (dateKind !== undefined) {
      const d = dateAfter(s, i, dateKind);
      if (d) s.pending.push(d);
    }
    const asWritten = (k: number): string => normaliseWord(text.slice(s.startOf(k), s.endOf(k)));
    const exact = lx.healthExact.get(asWritten(i));
    const hit = (exact && matchPhrase(s, exact, i, asWritten)) ?? matchHealth(s, i);
    if (hit) {
      s.health.push({ entity: 'HEALTH_CONDITION', first: i, last: hit.last, score: HEALTH_SCORE, base: HEALTH_SCORE, pattern: `lexicon:${hit.kind}`, context: [] });
      // A health term is no name: "Parkinson's", "Crohn's disease", "Hodgkin lymphoma".
      for (let k = i; k <= hit.last; k++) s.skip[k] = 1;
      i = hit.last;
    }
  }
}

/** A lexicon phrase starting at token i, its words one or two spaces apart. */
function matchPhrase(s: Scan, bucket: readonly HealthTerm[], i: number, wordOf: (k: number) => string): { last: number; kind: HealthTerm['kind'] } | undefined {
  for (const term of bucket) {
    const last = i + term.tokens.length - 1;
    if (last >= s.tk.n) continue;
    let ok = true;
    for (let k = 1; k < term.tokens.length && ok; k++) ok = s.adjacent(i + k - 1, i + k) && wordOf(i + k) === term.tokens[k];
    if (ok) return { last, kind: term.kind };
  }
  return undefined;
}

function matchHealth(s: Scan, i: number): { last: number; kind: HealthTerm['kind'] } | undefined {
  const w = s.lowerOf(i);
  const bucket = s.lx.healthLower.get(w);
  const hit = bucket ? matchPhrase(s, bucket, i, (k) => s.lowerOf(k)) : undefined;
  if (hit) return hit;
  // The plural of a one-word entry: "migraines", "opioids".
  if (w.length > 4 && w.endsWith('s')) {
    const single = s.lx.healthLower.get(w.slice(0, -1))?.find((t) => t.tokens.length === 1);
    if (single) return { last: i, kind: single.kind };
  }
  return undefined;
}

/** A written date right after a birth or admission word ("born on March 3rd, 1985", "DOB: 3 March 1985"). */
function dateAfter(s: Scan, i: number, kind: 'birth' | 'care'): Pending | undefined {
  const limit = s.endOf(i) + 48;
  for (let k = i + 1; k < s.tk.n && k <= i + 7 && s.startOf(k) <= limit; k++) {
    const m = matchDate(s.text, s.startOf(k));
    if (m) {
      let last = k;
      while (last + 1 < s.tk.n && s.endOf(last + 1) <= m.end) last++;
      const full = m.kind === 'full';
      const base = kind === 'birth' ? (full ? 0.85 : 0.7) : full ? 0.75 : 0.6;
      return { entity: 'DATE_TIME', first: k, last, score: base, base, pattern: `written-date:${kind}`, context: [{ word: s.lowerOf(i), by: 0 }] };
    }
    // Only a few filler words may stand between: "Born to Run was released on 1975-08-25" is no birth date.
    if (!DATE_FILLER.has(s.lowerOf(k))) return undefined;
  }
  return undefined;
}

const MONTH = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';
const DAY = '(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?';
const YEAR = '(?:19|20)[0-9]{2}';
const WEEKDAY = '(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,? )?';
/**
 * A written or numeric date at a position (sticky): group 1 a full date, group 2 month and year, group 3
 * day and month. Every repetition is bounded, so one attempt costs O(1).
 */
const DATE_AT = new RegExp(
  `(${WEEKDAY}${MONTH}\\.? ${DAY},? ${YEAR}|${WEEKDAY}(?:the )?${DAY} (?:of )?${MONTH}\\.?,? ${YEAR}|[0-9]{1,2}[/.-][0-9]{1,2}[/.-]${YEAR}|${YEAR}-[0-9]{2}-[0-9]{2})` +
    `|(${MONTH}\\.?,? ${YEAR})|(${WEEKDAY}${MONTH}\\.? ${DAY}|${WEEKDAY}(?:the )?${DAY} of ${MONTH})`,
  'iy',
);

function matchDate(text: string, at: number): { end: number; kind: 'full' | 'month-year' | 'day-month' } | undefined {
  DATE_AT.lastIndex = at;
  const m = DATE_AT.exec(text);
  if (!m) return undefined;
  const end = at + m[0].length;
  if (end < text.length && isWordUnit(text.charCodeAt(end))) return undefined;
  return { end, kind: m[1] !== undefined ? 'full' : m[2] !== undefined ? 'month-year' : 'day-month' };
}

// -----------------------------------------------------------------------------------------------------
// Names, places, organisations
// -----------------------------------------------------------------------------------------------------

function findNames(s: Scan, tick: () => void): void {
  const { tk, text } = s;
  const n = tk.n;
  for (let i = 0; i < n; i++) {
    tick();
    if (s.skip[i] || s.flag(i, F_CODE) || s.flag(i, F_DIGIT)) continue;
    if (!s.flag(i, F_UPPER_FIRST)) {
      if (s.flag(i, F_LOWER_FIRST) && i > 0 && LOWERCASE_NAME_LEAD.mayHave(text, s.startOf(i - 1), s.endOf(i - 1))) i = lowercaseName(s, i);
      continue;
    }
    // A run: capitalised words (and initials, inner particles) in one segment, one space apart.
    let j = i;
    while (j + 1 < n && tk.seg[j + 1] === tk.seg[i] && !s.skip[j + 1] && !s.flag(j + 1, F_CODE) && !s.flag(j + 1, F_DIGIT)) {
      const next = j + 1;
      const gapOk = s.adjacent(j, next) || (gapIsPeriodSpace(text, s.endOf(j), s.startOf(next)) && (s.isInitial(j) || s.isTitle(j)));
      if (!gapOk) break;
      if (s.flag(next, F_UPPER_FIRST) || particleCapitalised(text, s.startOf(next), s.endOf(next))) {
        j = next;
        continue;
      }
      // A particle joins only when a capitalised word follows ("van der Berg").
      let k = next;
      while (k - next < 2 && PARTICLES.has(s.lowerOf(k)) && k + 1 < n && s.adjacent(k, k + 1) && !PARTICLES.has(s.lowerOf(k + 1))) {
        if (s.flag(k + 1, F_UPPER_FIRST) && tk.seg[k + 1] === tk.seg[i]) break;
        k++;
      }
      if (PARTICLES.has(s.lowerOf(k)) && k + 1 < n && s.adjacent(k, k + 1) && s.flag(k + 1, F_UPPER_FIRST) && tk.seg[k + 1] === tk.seg[i]) {
        j = k + 1;
        continue;
      }
      break;
    }
    evaluateRun(s, i, j);
    i = j;
  }
}

/**
 * "Kónya, Becker and Vasquez", "Marrero and Murphy": lone surnames listed next to another name are names.
 * Runs after findNames; pending spans are in text order.
 */
function boostNameLists(s: Scan): void {
  const people = s.pending.filter((p) => p.entity === 'PERSON' && p.base > 0 && (p.parts ?? []).some((x) => x.cls === 'G' || x.cls === 'S'));
  for (let k = 0; k + 1 < people.length; k++) {
    const a = people[k] as Pending;
    const b = people[k + 1] as Pending;
    const gap = s.text.slice(s.endOf(a.last), s.startOf(b.first));
    if (gap !== ', ' && gap !== ' and ' && gap !== ' & ' && gap !== ' or ' && gap !== ', and ') continue;
    for (const p of [a, b]) {
      if (p.score >= 0.6 || p.score < 0.35) continue;
      p.context.push({ word: 'list of names', by: round(0.6 - p.score) });
      p.score = 0.6;
      delete p.question;
    }
  }
}

/** "hi priya", "name: jane smith", "dr. okafor": lowercase lexicon names right after a strong context. */
function lowercaseName(s: Scan, i: number): number {
  const cls = s.nameClassOf(i);
  if (cls !== 'G' && cls !== 'S') return i;
  const ctx = s.contextBefore(i);
  if (ctx === undefined || !['title', 'greeting', 'patient', 'key', 'intro'].includes(ctx.kind)) return i;
  let j = i;
  while (j + 1 < s.tk.n && j - i < 3 && s.tk.seg[j + 1] === s.tk.seg[i] && s.adjacent(j, j + 1) && !s.flag(j + 1, F_CODE)) {
    const c = s.nameClassOf(j + 1);
    if (c !== 'G' && c !== 'S') break;
    j++;
  }
  const parts: Part[] = [];
  for (let k = i; k <= j; k++) parts.push({ t: k, cls: s.nameClassOf(k) as NameClass });
  const p = scorePerson(s, parts, ctx, false);
  if (p) {
    p.context.push({ word: 'lowercase', by: -0.05 });
    p.score -= 0.05;
    s.pending.push(p);
  }
  return j;
}

/** A run of capitalised words [i, j]: an organisation, a street, a place, names, or nothing. */
function evaluateRun(s: Scan, i: number, j: number): void {
  const { kw } = s;
  const segStart = s.flag(i, F_SEG_START);
  const first = s.lowerOf(i);
  // One common capitalised word ("The", "Please", "Thanks"): nothing to do, unless it is a known place or
  // follows "city:", "lives in", ...
  if (i === j && s.nameClassOf(i) === undefined && !kw.places.has(first) && (segStart || s.isCommon(first) || s.flag(i, F_ALL_UPPER))) {
    if (!segStart || !s.mayBeProper(first) || s.residenceBefore(s.startOf(i)) === undefined) return;
  }
  const last = s.lowerOf(j);
  if (j > i && (kw.orgWords.has(last) || kw.orgWords.has(last.replace(/\.$/, '')))) {
    if (!kw.orgWords.has(first)) s.pending.push({ entity: 'ORGANIZATION', first: i, last: j, score: 0.6, base: 0.6, pattern: 'org-suffix', context: [] });
    return;
  }
  const after = j + 1 < s.tk.n && s.adjacent(j, j + 1) ? s.lowerOf(j + 1) : undefined;
  if (STREET_SUFFIXES.has(last) || (after !== undefined && STREET_SUFFIXES.has(after) && !s.flag(j + 1, F_LOWER_FIRST))) return;
  const place = placeIn(s, i, j);
  if (place) {
    s.pending.push(place);
    return;
  }
  // Split the run at words that are no names; score each piece. A run that holds common capitalised words
  // is a title-case phrase ("Accounts Payable", "Australian Business Number"): its unknown words are no
  // names either.
  let k = i;
  let title: string | undefined;
  let phrase = false;
  while (k <= j) {
    if (s.isTitle(k)) {
      title = s.lowerOf(k);
      k++;
      continue;
    }
    const parts: Part[] = [];
    let m = k;
    for (; m <= j; m++) {
      const word = s.lowerOf(m);
      // A particle inside a name, in either case ("Jan de Vries", "Tran Van Minh"), is skipped over.
      if (PARTICLES.has(word) && (!s.flag(m, F_UPPER_FIRST) || (m < j && parts.length > 0))) {
        if (parts.length === 0) break;
        continue;
      }
      const cls = partClass(s, m, i, j, segStart, parts);
      if (cls === undefined) {
        if (!s.isTitle(m)) phrase = true;
        break;
      }
      parts.push({ t: m, cls });
      // A possessive ends the name: "Yefremova's Cautionary Tales".
      if (word.endsWith("'s") && word.length > 3) {
        m++;
        break;
      }
    }
    if (parts.length > 0) {
      const firstPart = (parts[0] as Part).t;
      const ctx: Context | undefined = title !== undefined ? { kind: 'title', word: title } : s.contextBefore(firstPart);
      const p = scorePerson(s, parts, ctx, segStart && firstPart === i, phrase || (m <= j && !s.isTitle(m)));
      if (p) s.pending.push(p);
    }
    title = undefined;
    // m ended the piece: look at it again (it may be a title), or step over it.
    k = parts.length > 0 ? m : m + 1;
  }
}

/** What word m of the run [i, j] is in a name, after the parts before it; undefined: no part of a name. */
function partClass(s: Scan, m: number, i: number, j: number, segStart: boolean, before: readonly Part[]): NameClass | undefined {
  if (s.isInitial(m)) return 'I';
  const word = stem(s.lowerOf(m));
  const allUpper = s.flag(m, F_ALL_UPPER);
  // "Ravil G Yefimov", "Kate M Begum": a capital letter between two parts of a name is an initial too.
  if (word.length === 1 && s.flag(m, F_UPPER_FIRST) && before.length > 0 && m < j) return 'I';
  const cls = s.nameClassOf(m);
  if (cls !== undefined && !(allUpper && cls === 'A')) return cls;
  if (allUpper || s.isTitle(m) || s.kw.orgs.has(word)) return undefined;
  if (s.mayBeProper(word)) {
    // A sentence's first word proves nothing by its capital, unless a name part follows ("Tilly Nicholson")
    // or a record key announces a name ("name: Sieda Batukayev").
    if (m !== i || !segStart) return 'U';
    const ctx = s.contextBefore(m);
    if (ctx !== undefined && ctx.kind !== 'determiner' && ctx.kind !== 'weak' && ctx.kind !== 'role') return 'U';
    if (m < j) {
      const single = s.endOf(m + 1) - s.startOf(m + 1) === 1 && s.flag(m + 1, F_UPPER_FIRST) && m + 1 < j;
      const next = s.isInitial(m + 1) || single ? 'I' : s.nameClassOf(m + 1);
      if (next === 'G' || next === 'S' || next === 'I') return 'U';
    }
    return undefined;
  }
  // A capitalised common word right after a given name is most likely a surname ("James Sparks").
  const prev = before[before.length - 1];
  if (prev !== undefined && prev.cls === 'G' && prev.t === m - 1 && !s.isCommonCapitalised(word) && !s.kw.orgWords.has(word)) return 'U';
  return undefined;
}

/** A place in the run: a city, country or region compromise knows, or any run after "lives in", "moved to", ... */
function placeIn(s: Scan, i: number, j: number): Pending | undefined {
  const { kw } = s;
  let known = -1;
  // compromise lists places without accents ("sao paulo").
  const word = (k: number): string => {
    const w = s.lowerOf(k);
    return NON_ASCII.test(w) ? fold(w) : w;
  };
  if (kw.placeFirst.has(word(i))) {
    // The longest known place starting at i (up to four words).
    for (let m = Math.min(j, i + 3); m >= i && known < 0; m--) {
      let phrase = word(i);
      for (let k = i + 1; k <= m; k++) phrase += ` ${word(k)}`;
      if (kw.places.has(phrase)) known = m;
    }
  }
  const residence = s.residenceBefore(s.startOf(i));
  if (known >= 0) {
    const cls = s.nameClassOf(i);
    // A place that is also a name ("Jordan", "Florence") needs the context to be a place.
    if (residence === undefined && known === i && (cls === 'G' || cls === 'S' || cls === 'A')) return undefined;
    const base = 0.45;
    const p: Pending = { entity: 'LOCATION', first: i, last: known, score: base, base, pattern: 'lexicon:place', context: [] };
    if (residence) {
      p.score += residence[1];
      p.context.push({ word: residence[0], by: residence[1] });
    } else if (known + 1 < s.tk.n && s.adjacent(known, known + 1) && s.flag(known + 1, F_DIGIT) && /^[0-9]{4,6}$/.test(s.lowerOf(known + 1))) {
      // "Sweden 99178": the last line of a postal address.
      p.score += 0.15;
      p.context.push({ word: 'postcode', by: 0.15 });
    }
    return p;
  }
  if (residence === undefined) return undefined;
  // "lives in Enugu": an unknown capitalised run after residence context (names keep their own rules).
  for (let k = i; k <= j; k++) if (s.isCommon(s.lowerOf(k)) || s.flag(k, F_ALL_UPPER) || s.nameClassOf(k) !== undefined) return undefined;
  const base = 0.4;
  return { entity: 'LOCATION', first: i, last: j, score: base + residence[1], base, pattern: 'title-case', context: [{ word: residence[0], by: residence[1] }] };
}

/** The score of a name from its parts and the context before it; undefined when it is no name. */
function scorePerson(s: Scan, parts: Part[], ctx: Context | undefined, atSegStart: boolean, inPhrase = false): Pending | undefined {
  // A trailing initial is a sentence's "I." or a list letter, not part of the name.
  if (parts.length > 1 && (parts[parts.length - 1] as Part).cls === 'I') parts = parts.slice(0, -1);
  let strong = 0;
  let given = 0;
  let ambiguous = 0;
  let initials = 0;
  let unknown = 0;
  let allUpper = 0;
  for (const p of parts) {
    if (p.cls === 'G' || p.cls === 'S') strong++;
    if (p.cls === 'G') given++;
    if (p.cls === 'A') ambiguous++;
    if (p.cls === 'I') initials++;
    if (p.cls === 'U') unknown++;
    if (s.flag(p.t, F_ALL_UPPER)) allUpper++;
  }
  const first = (parts[0] as Part).t;
  const last = (parts[parts.length - 1] as Part).t;
  const count = parts.length;
  const lexical = strong > 0;
  const strongContext = ctx !== undefined && ['title', 'greeting', 'patient', 'key', 'intro'].includes(ctx.kind);
  // ALLCAPS words are names only as a full name or after a strong context ("JOHN SMITH", not "ADAM").
  if (allUpper > 0 && !strongContext && (count < 2 || strong === 0)) return undefined;
  // "May 2024", "June 5": a month, not a person.
  if (!lexical && last + 1 < s.tk.n && s.flag(last + 1, F_DIGIT) && s.adjacent(last, last + 1)) return undefined;

  let base: number;
  let pattern: string;
  let question: Question | undefined;
  if (strong >= 1 && count >= 2) {
    if (unknown === 0) {
      base = 0.85;
      pattern = initials > 0 && strong === 1 ? 'lexicon:initial+name' : 'lexicon:full-name';
      // "Bill Smith for the hours": the first word may be a verb.
      if ((parts[0] as Part).cls === 'A' && atSegStart) question = 'ambiguous-lead';
    } else {
      base = 0.75;
      pattern = 'lexicon:name+capitalised';
      question = 'confirm-unknown';
    }
  } else if (strong === 1) {
    if (given === 1) {
      base = atSegStart ? 0.55 : 0.6;
      pattern = 'lexicon:given-name';
    } else {
      base = 0.4;
      pattern = 'lexicon:surname';
      question = 'lone-surname';
    }
  } else if (unknown === count) {
    base = 0;
    pattern = 'title-case';
    question = 'unknown-run';
  } else if (unknown > 0 && initials > 0 && ambiguous === 0 && count >= 3 && parts[0]?.cls === 'U' && parts[count - 1]?.cls === 'U') {
    // "Faina D. Yefremova": an initial between capitalised words has the shape of a name.
    base = 0.55;
    pattern = 'title-case+initial';
    question = 'unknown-run';
  } else if (unknown > 0) {
    base = ambiguous > 0 ? 0.4 : 0.3;
    pattern = 'lexicon:ambiguous+capitalised';
    question = 'ambiguous-unknown';
  } else if (ambiguous >= 1 && count >= 2) {
    base = 0.35;
    pattern = 'lexicon:ambiguous-names';
  } else if (ambiguous === 1) {
    base = 0.15;
    pattern = 'lexicon:ambiguous-name';
  } else {
    return undefined; // initials only
  }

  let score = base;
  const context: Explanation['context'] = [];
  const raiseTo = (to: number, word: string): void => {
    if (to > score) {
      context.push({ word, by: round(to - score) });
      score = to;
    }
  };
  switch (ctx?.kind) {
    case 'title':
      raiseTo(lexical || initials > 0 ? 0.95 : 0.85, ctx.word);
      question = undefined;
      break;
    case 'greeting':
    case 'patient':
    case 'intro':
      raiseTo(lexical ? 0.9 : ambiguous > 0 ? 0.8 : 0.7, ctx.word);
      question = undefined;
      break;
    case 'key':
    case 'signature':
    case 'role':
      if (lexical) raiseTo(0.9, ctx.word);
      else if (ambiguous > 0 && unknown === 0) raiseTo(0.75, ctx.word);
      // "Name: Sieda Batukayev": a name field holds a name, known or not.
      else if (ctx.kind === 'key' && (ctx.word.includes('name') || ctx.word === 'patient')) raiseTo(0.8, ctx.word);
      else if (ctx.kind === 'signature' && count >= 2) raiseTo(0.7, ctx.word);
      if (score >= 0.7) question = undefined;
      break;
    case 'weak':
      if (ambiguous === 1 && count === 1) raiseTo(0.55, ctx.word);
      else if (lexical) raiseTo(Math.min(0.9, score + 0.1), ctx.word);
      break;
    case 'determiner': {
      if (!lexical) return undefined; // "the Grace period", "a Joy of a UI", "The Summer sale"
      // "the Christiansen novel" is a title more than a person; "a John Smith concert" still names one.
      const by = count >= 2 ? 0.1 : 0.3;
      context.push({ word: ctx.word, by: -by });
      score -= by;
      question = undefined; // "the Christiansen novel": no redaction, whatever the tagger says
      break;
    }
    default:
      break;
  }
  // "Don't go to town, Mark!": a lone name called at the end of a sentence.
  if (count === 1 && (ambiguous === 1 || given === 1) && score < 0.55 && !MONTH_NAMES.has(s.lowerOf(first)) && s.text.startsWith(', ', s.startOf(first) - 2)) {
    const c = s.text.charCodeAt(s.endOf(last));
    if (c === 33 || c === 63 || c === 46) raiseTo(0.55, 'vocative');
  }
  // "Will said", "Grace wrote": a verb of speech after a lone ambiguous name.
  if (ambiguous === 1 && count === 1 && score < 0.55 && last + 1 < s.tk.n && s.adjacent(last, last + 1)) {
    const next = s.lowerOf(last + 1);
    if (AFTER_NAME.has(next)) raiseTo(0.55, next);
  }
  // Unknown words in a title-case phrase are not worth the tagger.
  if (inPhrase && (question === 'unknown-run' || question === 'ambiguous-unknown')) question = undefined;
  if (question === undefined && score <= 0) return undefined;
  const p: Pending = { entity: 'PERSON', first, last, score, base, pattern, context, parts };
  if (question !== undefined) p.question = question;
  return p;
}

function lexiconClass(lx: Lexicons, w: string): NameClass | undefined {
  const g = lx.given.has(w);
  if (g || lx.surnames.has(w)) {
    if (lx.ambiguous.has(w) || w.length <= 2) return 'A';
    return g ? 'G' : 'S';
  }
  // "Jean-Luc", "al-Rashid", "Smith-Jones": every part a name or a particle.
  if (w.includes('-')) {
    let firstClass: NameClass | undefined;
    let allAmbiguous = true;
    for (const part of w.split('-')) {
      if (PARTICLES.has(part)) continue;
      const c = lexiconClass(lx, part);
      if (c === undefined) return undefined;
      firstClass ??= c;
      if (c !== 'A') allAmbiguous = false;
    }
    if (firstClass === undefined) return undefined;
    return allAmbiguous ? 'A' : firstClass === 'A' ? 'S' : firstClass;
  }
  // "O'Brien", "D'Angelo": Irish and Italian surname prefixes.
  if ((w.startsWith("o'") || w.startsWith("d'")) && w.length >= 5) return 'S';
  return undefined;
}

/** A word without its possessive ending ("maria's" → "maria"). */
function stem(w: string): string {
  return w.length > 3 && w.endsWith("'s") ? w.slice(0, -2) : w;
}

/** "al-Rashid", "el-Sayed", "d'Angelo": a lowercase particle glued to a capitalised name. */
function particleCapitalised(text: string, start: number, end: number): boolean {
  for (let k = start + 1; k < Math.min(end - 1, start + 4); k++) {
    const c = text.charCodeAt(k);
    if (c === 45 || isApostrophe(c)) {
      const prefix = text.slice(start, k).toLowerCase();
      return (PARTICLES.has(prefix) || prefix === 'd') && isUpperUnit(text.charCodeAt(k + 1));
    }
  }
  return false;
}

// -----------------------------------------------------------------------------------------------------
// The tagger
// -----------------------------------------------------------------------------------------------------

/** The text compromise needs to judge a span: a few words each side, within its segment. */
function nlpWindow(p: Pending, tk: TokenList, textLength: number): [number, number] {
  const seg = tk.seg;
  let a = p.first;
  while (a > 0 && p.first - a < NLP_WINDOW_TOKENS && seg[a - 1] === seg[p.first]) a--;
  let b = p.last;
  while (b + 1 < tk.n && b - p.last < NLP_WINDOW_TOKENS && seg[b + 1] === seg[p.last]) b++;
  return [tk.start[a] as number, Math.min(textLength, (tk.end[b] as number) + 1)];
}

/** compromise's tags of the batch, by view offset of each term's start. */
function tagWindows(input: string, windows: ReadonlyArray<{ from: number; to: number; at: number }>): Map<number, TermInfo> {
  const doc = nlp(input) as unknown as CompromiseDoc;
  doc.compute('offset');
  const out = new Map<number, TermInfo>();
  let w = 0;
  // Terms come in text order, and so do the windows.
  for (const sentence of doc.docs) {
    for (const t of sentence) {
      if (!t.offset || !t.tags) continue;
      const at = t.offset.start;
      while (w + 1 < windows.length && (windows[w + 1] as { at: number }).at <= at) w++;
      const win = windows[w];
      if (win !== undefined) out.set(win.from + (at - win.at), { tags: t.tags });
    }
  }
  return out;
}

/** Applies compromise's answer to a pending span. */
function answer(s: Scan, p: Pending, terms: ReadonlyMap<number, TermInfo>): void {
  const parts = p.parts ?? [];
  const tagsOf = (t: number): ReadonlySet<string> | undefined => terms.get(s.startOf(t))?.tags;
  const is = (t: number, tag: string): boolean => tagsOf(t)?.has(tag) === true;
  const person = (x: Part): boolean => is(x.t, 'Person');
  const notName = (x: Part): boolean => !is(x.t, 'Person') && NOT_A_NAME_TAGS.some((tag) => is(x.t, tag));
  const set = (to: number, word: string): void => {
    if (to !== p.score) p.context.push({ word, by: round(to - p.score) });
    p.score = to;
  };
  switch (p.question) {
    case 'unknown-run': {
      const named = parts.filter((x) => x.cls !== 'I');
      if (named.every(person)) {
        set(Math.max(p.score, p.base > 0 ? 0.7 : 0.6), 'compromise:person');
      } else if (p.base > 0) {
        break; // the shape of a name ("Faina D. Yefremova") stands without the tagger
      } else if (parts.some((x) => is(x.t, 'Place'))) {
        p.entity = 'LOCATION';
        p.pattern = 'compromise:place';
        set(0.45, 'compromise:place');
      } else if (parts.some((x) => is(x.t, 'Organization'))) {
        p.entity = 'ORGANIZATION';
        p.pattern = 'compromise:organization';
        set(0.55, 'compromise:organization');
      } else {
        p.score = 0;
      }
      break;
    }
    case 'confirm-unknown': {
      if (parts.every(person)) {
        set(Math.max(p.score, 0.85), 'compromise:person');
        break;
      }
      if (!parts.some((x) => x.cls === 'U' && notName(x))) break;
      // The unknown word is a place, an organisation or a verb: the name is the lexicon part only.
      const known = parts.filter((x) => x.cls !== 'U');
      const k0 = known[0];
      const k1 = known[known.length - 1];
      if (!k0 || !k1) break;
      p.first = k0.t;
      p.last = k1.t;
      const full = known.some((x) => x.cls === 'G' || x.cls === 'S') && known.length >= 2;
      const lone = k0.cls === 'G' ? 0.6 : k0.cls === 'S' ? 0.4 : 0.15;
      set(Math.min(p.score, full ? 0.85 : lone), 'compromise:not-a-name');
      break;
    }
    case 'lone-surname':
      if (parts.every(person)) set(Math.max(p.score, 0.55), 'compromise:person');
      break;
    case 'ambiguous-unknown':
      if (parts.every(person) && !parts.some((x) => x.cls === 'A' && notName(x))) set(Math.max(p.score, 0.6), 'compromise:person');
      else set(Math.min(p.score, 0.3), 'compromise:not-a-name');
      break;
    case 'ambiguous-lead': {
      const lead = parts[0];
      if (!lead || parts.length < 2 || !notName(lead)) break;
      // An imperative, then the name.
      const rest = parts.slice(1);
      p.first = (rest[0] as Part).t;
      p.parts = rest;
      const strongRest = rest.filter((x) => x.cls === 'G' || x.cls === 'S').length;
      set(rest.length >= 2 && strongRest > 0 ? 0.85 : strongRest > 0 ? 0.55 : 0.15, `compromise:${s.lowerOf(lead.t)} is a verb`);
      break;
    }
    default:
      break;
  }
  delete p.question;
}

// -----------------------------------------------------------------------------------------------------
// PHI and rules
// -----------------------------------------------------------------------------------------------------

/** Health terms, raised to PHI when the text identifies someone. */
function markPhi(s: Scan, view: ScanView, found: readonly Pending[], options: NlpOptions): Pending[] {
  if (s.health.length === 0) return [];
  const anchors: number[] = [];
  for (const p of found) {
    if (p.score >= 0.5 && (p.entity === 'PERSON' || p.pattern === 'written-date:birth')) anchors.push(s.startOf(p.first));
  }
  for (const word of IDENTIFIER_WORDS) {
    const at = indexOfWord(s.lower, word);
    if (at >= 0) anchors.push(at);
  }
  const prior = (options.priorFindings ?? []).filter((f) => IDENTIFYING_CATEGORIES.has(f.category) || IDENTIFYING_TYPES.has(f.type));
  if (anchors.length === 0 && prior.length === 0 && options.identifierElsewhere !== true) return s.health;
  for (const h of s.health) {
    const at = s.startOf(h.first);
    const original = view.toOriginal(at, at).start;
    const near = anchors.some((a) => Math.abs(a - at) <= PHI_NEAR_CHARS) || prior.some((f) => Math.abs(f.start - original) <= PHI_NEAR_CHARS);
    h.score = near ? PHI_NEAR_SCORE : PHI_SCORE;
    h.context.push({ word: near ? 'identifier nearby' : 'identifier in text', by: round(h.score - h.base) });
    h.phi = true;
  }
  return s.health;
}

function ruleFor(p: Pending): CompiledRule {
  switch (p.entity) {
    case 'PERSON':
      return NLP_RULES.person;
    case 'LOCATION':
      return NLP_RULES.location;
    case 'ORGANIZATION':
      return NLP_RULES.organization;
    case 'DATE_TIME':
      return NLP_RULES.date;
    case 'HEALTH_CONDITION':
      return p.phi ? NLP_RULES.phi : NLP_RULES.health;
  }
}

// -----------------------------------------------------------------------------------------------------
// Small text helpers (all bounded)
// -----------------------------------------------------------------------------------------------------

function gapIsSpace(text: string, from: number, to: number): boolean {
  if (to - from < 1 || to - from > 2) return false;
  return text.charCodeAt(from) === 32 && text.charCodeAt(to - 1) === 32;
}

function gapIsPeriodSpace(text: string, from: number, to: number): boolean {
  return text.charCodeAt(from) === 46 && (to - from === 1 || gapIsSpace(text, from + 1, to));
}

/** The last word of `hay` (letters, digits, inner ' and -), or undefined. */
function lastWord(hay: string): string | undefined {
  let k = hay.length;
  while (k > 0) {
    const c = hay.charCodeAt(k - 1);
    if (!isWordUnit(c) && c !== 39 && c !== 45) break;
    k--;
  }
  return k === hay.length ? undefined : hay.slice(k);
}

/** The last key-like word of `hay` (letters, digits, underscores): `{"patient_name` → patient_name. */
function lastKey(hay: string): string | undefined {
  let k = hay.length;
  while (k > 0 && (isWordUnit(hay.charCodeAt(k - 1)) || hay.charCodeAt(k - 1) === 95)) k--;
  return k === hay.length ? undefined : hay.slice(k);
}

function endsWithWord(hay: string, phrase: string): boolean {
  if (!hay.endsWith(phrase)) return false;
  const at = hay.length - phrase.length;
  return at === 0 || !isWordUnit(hay.charCodeAt(at - 1));
}

/** The first occurrence of `word` in `hay` on word boundaries, or -1. */
function indexOfWord(hay: string, word: string): number {
  let at = hay.indexOf(word);
  while (at >= 0) {
    const okBefore = at === 0 || !isWordUnit(hay.charCodeAt(at - 1));
    const okAfter = at + word.length >= hay.length || !isWordUnit(hay.charCodeAt(at + word.length));
    if (okBefore && okAfter) return at;
    at = hay.indexOf(word, at + 1);
  }
  return -1;
}

// =====================================================================================================
// Convenience
// =====================================================================================================

let defaultDetector: EntityDetector | undefined;

/** The detections of a shared default detector (lexicons of data/lexicons). */
export function detectEntities(view: ScanView, budgetMs: number, deadline: number, options: NlpOptions = {}): NlpDetection[] {
  defaultDetector ??= new EntityDetector();
  return defaultDetector.detect(view, budgetMs, deadline, options);
}

/** Loads the lexicons and pays compromise's first-call cost now (e.g. when a service starts). */
export function warmUp(lexiconDir?: string): void {
  const lx = loadLexicons(lexiconDir);
  filtersFor(lx);
  wordKnowledge();
  nlp('Dr. Ada Obi moved to Lagos in May.').compute('offset');
}
