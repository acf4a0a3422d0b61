/**
 * Which words are ordinary words, for the identifier scrubber's name detector. A patient's name is, most of
 * the time, a capitalised word that is in no dictionary ("Emily Chen", "pt Zorvath"); clinical text written
 * with capitals ("Suspicious Lesion", "Car Accident", "Delta Dental", "Zometa") is made of known words. So
 * the scrubber asks two questions of a word: is it known at all, and is it a term (a frequent English word,
 * or a payer, drug, clinical or knowledge-base word) that is never a name in a billing message even when
 * capitalised?
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { COMMON_WORDS } from './common-words.js';

/**
 * Words medbill's users type that spoken English lacks, or that are names elsewhere but not here: payers
 * and plans, drugs, clinical words and shorthand, eponyms (Ludwig's angina), places a plan is named after,
 * months and days, greetings and office words.
 */
const DOMAIN_WORDS = `
bcbs blue cross shield aetna cigna uhc united unitedhealthcare unitedhealth healthcare humana kaiser permanente anthem
delta dental metlife guardian medicare medicaid tricare geico farm state aarp highmark regence premera oscar ambetter
molina emblem ameritas principal sun life concordia dentemax careington medi-cal denti-cal medical progressive allstate
nationwide liberty mutual usaa travelers wellcare centene caresource amerigroup elevance carefirst excellus wellmark
horizon independence optum magellan evernorth caremark express scripts dentaquest mcna avesis envolve skygen lincoln
hartford unum aflac colonial harvard pilgrim moda geisinger blueshield bluecross tufts sentara presbyterian providence
wellpoint upmc medica healthpartners triwest inc llc ppo hmo epo pos hsa fsa medigap advantage commercial plan plans insurance insurer payer
payers carrier carriers coverage covered secondary primary cob eob era npi tin ein ucr abn cms lcd ncd dme dmepos poa
mac champva va workers comp auto pip liability subrogation copay copays coinsurance deductible preauth precert prior
authorization predetermination denial denied appeal appeals claim claims resubmit resubmission
zometa zoledronic acid prolia denosumab xgeva alendronate fosamax risedronate actonel atelvia ibandronate boniva
reclast forteo teriparatide evenity romosozumab tymlos abaloparatide amoxicillin augmentin clindamycin cleocin
penicillin azithromycin zithromax cephalexin keflex metronidazole flagyl doxycycline chlorhexidine peridex ibuprofen
advil motrin acetaminophen tylenol naproxen aleve hydrocodone vicodin norco oxycodone percocet tramadol codeine
lidocaine xylocaine articaine septocaine carbocaine mepivacaine bupivacaine marcaine prilocaine citanest epinephrine
warfarin coumadin eliquis apixaban xarelto rivaroxaban plavix clopidogrel aspirin heparin pradaxa dabigatran brilinta
metformin insulin ozempic semaglutide mounjaro tirzepatide wegovy jardiance trulicity prednisone dexamethasone
decadron medrol methylprednisolone bisphosphonate bisphosphonates antiresorptive antiresorptives nitrous midazolam
versed propofol fentanyl ketamine valium diazepam halcion triazolam benadryl zofran ondansetron methotrexate humira
keytruda cisplatin avastin bevacizumab sutent sunitinib nexium omeprazole lisinopril amlodipine atorvastatin lipitor
synthroid levothyroxine albuterol
angina palsy syndrome disease disorder sarcoma neuralgia trigeminal herpes zoster candidiasis thrush lichen planus
pemphigus pemphigoid mucositis xerostomia stomatitis aphthous glossitis cheilitis sialadenitis osteoma osteosarcoma
hemangioma lipoma neuroma granuloma granulomatous abscessed infected infection infections sepsis septic edema
erythema lymphadenopathy dysphagia odynophagia paresthesia numbness malunion nonunion dislocation dislocated
suspicious lesion lesions oral surgery surgical surgeon sleep apnea accident trauma traumatic abscess cellulitis
swelling fever biopsy excision extraction extractions impacted impaction wisdom third molar molars premolar premolars
incisor incisors canine cuspid bicuspid mandible mandibular maxilla maxillary jaw tmj tmd temporomandibular
osteonecrosis mronj bronj osteomyelitis osteoradionecrosis necrosis sinus oroantral fistula frenectomy frenotomy
ankyloglossia cleft palate alveolar alveoloplasty ridge graft grafting bone implant implants crown crowns bridge
denture dentures partial pano panoramic cbct ct mri xray x-ray x-rays radiograph radiographs fmx bitewing bitewings
periapical pa psg hst ahi rdi odi osa cpap bipap apap intolerant intolerance appliance appliances mandibular
advancement device snoring polysomnography titration hypopnea hypoxia leukoplakia erythroplakia carcinoma squamous
neoplasm tumor tumour cyst cysts keratocyst odontogenic ameloblastoma torus tori exostosis hyperplasia fibroma
papilloma mucocele ranula sialolith salivary gland glands parotid submandibular sublingual lymph node nodes ulcer
ulcers necrotizing gingivitis periodontitis periodontal perio gingival gum gums pericoronitis dry socket
osteitis pulpitis periapical endodontic endo root canal rct apicoectomy hemisection avulsion avulsed luxation
luxated intrusion extrusion subluxation concussion fracture fractures fractured fx condyle condylar symphysis
parasymphysis ramus zygoma zygomatic orbital nasal le fort lefort maxillofacial craniofacial orthognathic
osteotomy genioplasty bimaxillary arthrocentesis arthroscopy arthroplasty splint splints splinting occlusal
guard bruxism trismus malocclusion closed open reduction fixation arch bars wiring imf mmf sedation anesthesia
anaesthesia general iv intravenous conscious deep moderate hospital facility outpatient inpatient emergency er ed
urgent referral referred order orders prescription physician physicians doctor doctors dentist dentists hygienist
hygiene oms omfs periodontist endodontist orthodontist prosthodontist pediatric pedo ent oncologist oncology
radiation chemo chemotherapy transplant dialysis cardiac valve endocarditis prophylaxis clearance diabetes diabetic
pregnancy pregnant hypertension anticoagulant anticoagulation bleeding hemophilia immunocompromised hiv
osteoporosis osteopenia cancer metastatic myeloma lymphoma leukemia head neck facial face cheek lip lips tongue
floor mouth buccal lingual labial palatal vestibule vestibular mucosa mucosal tooth teeth #
cdt cpt hcpcs icd icd-10 icd-10-cm lmn soap notes chart charting narrative documentation pathology path report
photos photo intraoral extraoral ortho orthodontic
pt pts dx tx hx sx rx bx ext exo exts srp i&d c/o s/p w/ w/o yo y/o yrs f/u fu re eval exam consult consultation
procedure procedures code codes billing bill billed biller coder coding fee fees cash usual ucr allowed allowable
units unit modifier modifiers
hi hello hey thanks thank dear regards team office front desk coordinator manager practice clinic staff
dr mr mrs ms mx miss doctor
`;

/**
 * Words that are clinical or plan words here but also people's names elsewhere: eponyms ("Ludwig's angina",
 * "Bell's palsy"), places plans are named after, months and days. Known, so they alone never make a name;
 * not terms, so beside an unknown word ("Emily Johnson") they are removed with it.
 */
const NAMESAKE_WORDS = `
ludwig ludwig's bell bell's paget paget's sjogren sjögren sjogren's stevens johnson gardner peutz jeghers crohn
crohn's hodgkin hodgkin's kaposi kaposi's down down's pierre robin treacher collins kawasaki behcet burkitt ewing
wegener wegener's frey frey's eagle eagle's
alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho illinois
indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana
nebraska nevada hampshire jersey mexico york carolina dakota ohio oklahoma oregon pennsylvania rhode island tennessee
texas utah vermont virginia washington wisconsin wyoming puerto rico
january february march april may june july august september october november december monday tuesday wednesday
thursday friday saturday sunday
`;

/** Shorthand spelled in capitals in clinical text ("OSA", "CBCT"): never a name. */
const ACRONYMS = `
bcbs uhc ppo hmo epo eob era npi tin ucr abn cms dme osa cpap bipap apap ahi rdi odi psg hst cbct ct mri fmx pa tmj
tmd mronj bronj srp lmn ent er ed iv imf mmf oms omfs icd cdt cpt hcpcs soap rx dx tx hx sx bx fx pt pts npo prn
bid tid qid hpv hiv aids copd chf cad mi cva dvt pe gerd ra sle
`;

const toWords = (s: string) => s.toLowerCase().split(/\s+/).filter(Boolean);
const COMMON = toWords(COMMON_WORDS);
/** The most frequent spoken words ("has", "will", "new", "saw"): capitalised, still not a name. */
const FUNCTION_WORDS = new Set(COMMON.slice(0, 500));
const DOMAIN = new Set(toWords(DOMAIN_WORDS));
const NAMESAKE = toWords(NAMESAKE_WORDS);
const ACRONYM = new Set(toWords(ACRONYMS));
const SUFFIXES = ['s', 'es', 'ed', 'd', 'ing', 'ly', 'er', 'ers'];

let vocabulary: { known: Set<string>; terms: Set<string> } | undefined;

/**
 * Every word in knowledge/ (category names and phrases, code descriptions, signals, documents): whatever
 * the knowledge base can talk about is clinical vocabulary. Read once, on first use; a knowledge/ that
 * cannot be read leaves the detector stricter (more words count as possible names), never broken.
 */
function knowledgeWords(into: Set<string>, dir = join(PROJECT_ROOT, 'knowledge')): void {
  const walk = (path: string) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.json')) for (const m of readFileSync(full, 'utf8').matchAll(/[A-Za-z]{2,}/g)) into.add(m[0].toLowerCase());
    }
  };
  try {
    walk(dir);
  } catch {
    // Unreadable: the words read so far are kept, and the detector is stricter for the rest.
  }
}

/**
 * Builds the word lists now (about 0.1 s: it reads knowledge/), rather than on the first message a person
 * sends. The engine calls it when it starts.
 */
export function prepareVocabulary(): void {
  load();
}

function load() {
  if (!vocabulary) {
    const terms = new Set([...FUNCTION_WORDS, ...DOMAIN, ...ACRONYM]);
    knowledgeWords(terms);
    const known = new Set(terms);
    for (const w of COMMON) known.add(w);
    for (const w of NAMESAKE) known.add(w);
    vocabulary = { known, terms };
  }
  return vocabulary;
}

/** A word as looked up: lower case, without a possessive, a trailing period, or what follows an apostrophe ("don't" → "don"). */
function keyOf(word: string): string {
  const lower = word.toLowerCase().replace(/['’]s$/, '').replace(/\.$/, '');
  const apostrophe = lower.search(/['’]/);
  return apostrophe > 0 && !DOMAIN.has(lower) ? lower.slice(0, apostrophe) : lower;
}

function inSet(set: Set<string>, word: string): boolean {
  if (set.has(word)) return true;
  if (word.includes('-')) return word.split('-').every((part) => part === '' || inSet(set, part));
  return SUFFIXES.some((s) => word.length > s.length + 2 && word.endsWith(s) && set.has(word.slice(0, -s.length)));
}

/** In any list: common English, clinical, payer, drug, knowledge base. */
export function isKnownWord(word: string): boolean {
  return inSet(load().known, keyOf(word));
}

/** Never a name in a billing message, even capitalised after "Dr." or beside another capitalised word. */
export function isTerm(word: string): boolean {
  return inSet(load().terms, keyOf(word));
}

/** Capitalised shorthand that is a clinical or billing abbreviation ("OSA", "CBCT"). */
export function isAcronym(word: string): boolean {
  return ACRONYM.has(word.toLowerCase());
}
