/**
 * Deterministic generator of the name lexicons of the NLP detector (src/dlp/nlp.ts):
 * data/lexicons/given-names.txt, surnames.txt and ambiguous-names.txt.
 *
 *   npx tsx scripts/make-lexicons.ts
 *
 * Sources (see data/lexicons/README.md for licences):
 * - `@faker-js/faker` locale data (MIT): the given names and surnames of every locale written in a cased
 *   script (Latin, Cyrillic, Greek); invented or joke locales (en_BORK, eo) are skipped;
 * - `compromise`'s lexicon (MIT): words it tags as first names, last names or people;
 * - the transliterated names below (Chinese pinyin, Japanese, Korean, Vietnamese, Arabic, Persian, Indian,
 *   Nigerian, Ghanaian, East African, Russian, Hebrew, Greek, Icelandic, Estonian, Thai, Filipino), written
 *   for this project because faker keeps those locales in their native scripts.
 *
 * Every name is lowercased; one with diacritics is written twice, as is and folded ("maría", "maria"), so
 * that a text without accents matches too. Multi-word entries ("Anh Vũ") give their words.
 *
 * ambiguous-names.txt lists the names that are also common English words ("will", "grace", "baker") or
 * well-known software names ("ruby", "jenkins"): the detector needs support (a title, a context word, a
 * neighbouring unambiguous name) before it reports one. It is the names that occur in compromise's lexicon
 * with a non-name tag or in faker's English word lists, plus the hand list below; minus KEEP_UNAMBIGUOUS,
 * names whose other sense is too rare to matter.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { allLocales } from '@faker-js/faker';
import nlp from 'compromise';

const OUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'data', 'lexicons');

/** Locales without real names, or in scripts without letter case (where title case tells nothing). */
const SKIP_LOCALES = new Set(['en_BORK', 'eo']);

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w.length > 0);
}

// -----------------------------------------------------------------------------------------------------
// Transliterated names that faker keeps in native scripts (or lacks)
// -----------------------------------------------------------------------------------------------------

const HAND_GIVEN = words(`
  wei fang min jing jun yan yong jie tao ming chao xiu ying hua hui qiang lei ping gang jian xin na hong xia
  bin hao kai lin mei ning peng qing rui shan tian ting xiao xue yun zhen zhi zihan yichen haoran zixuan
  yuxuan xinyi yutong jiahao junjie xiaoming xiaoling wenjie weiwei lili jingjing meimei zhiwei zhihao
  jianguo guoqiang haiyan xiuying guiying yulan xiulan shuang feng jia juan kang liang qian rong shu wen
  xiang yao zhao yang bo yi yu hui qiong yuan jiayi siyu muchen yuting haoyu
  hiroshi takashi akira kenji yuki haruto yuto sota yuma ren daiki takumi kaito riku hinata sakura yui aoi
  hina rin mio yuna hana akiko yoko keiko naoko yumiko kazuko michiko tomoko noriko kyoko mariko emi aya
  ayumi haruka misaki nanami kana saki kenta shota ryota shun kazuki yusuke daisuke kohei naoki satoshi
  makoto hideki masato taro jiro ichiro koji shinji tetsuya yoshiro kazuo minoru osamu tomomi toshimi
  yoshiko sachiko hiroko junko megumi miho nao rina yuka chika eri kaori asuka maki hayato sho ryo shiori
  minjun seojun dohyun jiho jiwoo seoyeon seoyun haeun sooah jimin minseo yujin hyunwoo jihoon junho sungmin
  jisoo eunji soyeon hyejin minji jiyoung youngho sanghoon donghyun seungho jaehyun taehyung jungkook yoongi
  namjoon seokjin hoseok minho kyungsoo jiyeon sunhee younghee chulsoo myungsoo sooyoung hyuna eunbi
  anh minh linh trang huong lan hoa thu hanh phuong thao ngoc quang tuan hung dung duc hieu nam thanh trung
  viet khanh huy phuc bao vy nhi thuy tam thi hai tien nhung duy khoa loan yen vinh thuong hoai
  mohammed muhammad mohamed mohammad ahmed ahmad ali omar umar hassan hasan hussein husain hussain ibrahim
  khalid khaled youssef yusuf yousef abdullah abdul abdulrahman abdelrahman mahmoud mahmud mustafa mostafa
  karim kareem tariq tarek samir sami walid waleed faisal fahad saeed saad nasser jamal hamza bilal rami ziad
  zaid zayed amir amr anas ayman bashir fadi fares ghassan hadi hani haytham imad issa jaber kamal majid
  marwan mazen nabil nader osama qasim rashid riyad salah salim sultan talal tamer wael yahya yaser yasser
  younis zakaria fatima fatma aisha aysha mariam maryam noor nour layla leila laila huda hala rania rana
  salma sara yasmin yasmine zainab zaynab amira amal asma dina farah ghada hanan iman khadija lina lubna maha
  manal mona muna nadia najwa nawal rasha reem rula sahar samira sana suha wafa zahra hiba
  reza hossein mehdi hamid javad behrouz bijan dariush farhad kamran kaveh kourosh cyrus mehran nima omid
  parviz payam ramin shahram siavash babak arash arman ehsan farshid hooman houshang iraj jamshid keyvan
  masoud morteza navid pejman peyman pouya sina soroush vahid fatemeh narges shirin parisa mahsa mina nasrin
  neda niloufar golnar laleh azadeh bahar darya elham farzaneh forough haleh homa mahnaz mitra nazanin roya
  setareh shabnam shadi sima soheila taraneh yasaman ziba
  aarav arjun rahul rohit amit ankit vikram vijay ravi raj rajesh suresh ramesh mahesh dinesh ganesh naresh
  mukesh rakesh sanjay sunil anil ajay akash aditya abhishek arun ashok deepak gaurav harish karthik kiran
  krishna manoj mohan nikhil pradeep prakash pranav prasad rajiv sachin sandeep santosh saurabh shankar
  shiva siddharth srinivas sudhir suraj tarun varun venkat vinay vinod vishal vivek yash murugan senthil
  saravanan karthikeyan balaji arvind aravind ashwin dev dhruv ishaan kabir krish reyansh sai shaurya vihaan
  anirban arnab soumya subhash debashish partha sourav tanmay abhijit indranil rajat sayan priya pooja neha
  anjali divya kavya ananya aishwarya deepa deepika lakshmi meena meera nisha radha rani rekha sangeeta
  sunita swati shreya shruti sneha sonia tanvi uma usha vidya anita asha geeta gita jyoti kajal kalpana
  kavita lata madhu manisha nandini padma pallavi parvati preeti rashmi riya sarita savita seema shalini
  shanti shilpa smita sudha suman sushma vandana aditi aarti isha kriti diya saanvi aadhya ishita tanisha
  meenakshi kamala valli selvi revathi malathi kaveri gurpreet harpreet manpreet jaspreet simran amrit
  chidi chidinma chinedu chinonso chioma chukwuemeka emeka ifeanyi ikenna kelechi nnamdi obinna ngozi nkechi
  uchenna amaka adaeze chiamaka chibuzo chinwe ebuka ekene nneka onyeka somto tobenna uzoma ugochukwu
  chijioke okechukwu oluchi ijeoma ifeoma adaobi abubakar aminu danjuma garba haruna idris lawal musa
  mustapha nasiru sani shehu suleiman usman yakubu amina hadiza halima hauwa rukayya adebayo adewale ayodele
  babatunde folake funmilayo kehinde taiwo oluwaseun seun tunde yetunde olumide olusegun segun temitope tope
  tolu tolulope wale femi bisi bukola damilola dayo
  kwame kofi kwaku kwabena yaw kojo kweku kwesi ama akosua abena adwoa afua yaa efua esi akua
  wanjiru wambui njeri kamau otieno ochieng odhiambo omondi onyango wekesa mutua kiprono achieng akinyi
  atieno juma baraka neema zawadi rehema abebe alemu girma haile tigist meron selam yohannes tesfaye
  ivan dmitri dmitry sergei sergey alexei alexey andrei andrey nikolai mikhail vladimir pavel yuri boris
  igor oleg viktor anatoly konstantin maxim artem kirill ruslan stanislav vadim vasily yevgeny evgeny fyodor
  gennady grigory leonid timur olga natalia natalya tatiana tatyana svetlana elena yelena irina ekaterina
  yekaterina anastasia marina galina ludmila lyudmila nadezhda larisa oksana yulia ksenia daria polina alina
  valentina zoya sofia
  yosef moshe avraham yitzhak yaakov noa tamar yael shira
  giorgos georgios dimitris nikos kostas yannis ioannis christos panagiotis eleni katerina
  sigurður sigurdur guðmundur gudmundur jón ólafur olafur einar kristján kristjan magnús magnus stefán
  guðrún gudrun sigríður sigridur kristín margrét margret helga björk bjork
  jaan tõnu tonu toomas andres siim kadri liis kati triin mari
  somchai somsak suchart surachai malee siriporn
`);

const HAND_SURNAMES = words(`
  wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song
  tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen
  yao jin fu zhong qiu dai xia qian tan shi hou bai cui kang mao qin jia gu yan wan duan lei hao kong xiong
  meng fan chang ou xue chan wong leung cheung lau lee ho ng chow tsang lam yip kwok mak tse fung yeung choi
  lo siu chiu ko kwan chung hui au tam law poon tsai hsu hsieh kuo hung tseng liao lai chou yeh chuang
  chiang
  sato suzuki takahashi tanaka watanabe ito yamamoto nakamura kobayashi kato yoshida yamada sasaki yamaguchi
  matsumoto inoue kimura hayashi shimizu yamazaki mori abe ikeda hashimoto yamashita ishikawa nakajima maeda
  fujita ogawa goto okada hasegawa murakami kondo ishii saito sakamoto endo aoki fujii nishimura fukuda ota
  miura fujiwara okamoto matsuda nakagawa nakano harada ono tamura takeuchi kaneko wada nakayama ishida ueda
  morita hara shibata sakai kudo yokoyama miyazaki miyamoto uchida takagi ando taniguchi ohno maruyama imai
  takada fujimoto takeda murata ueno sugiyama masuda sugawara hirano otsuka chiba kubo matsui iwasaki
  sakurai kinoshita noguchi matsuo nomura kikuchi sano onishi sugimoto arai hamada ichikawa furukawa mizuno
  komatsu shimada koyama takano yamauchi nishida nishiyama arata tomita
  kim park choi jung jeong kang cho jo yoon yun jang lim im oh seo shin kwon hwang ahn jeon hong yoo
  moon mun son bae baek heo nam sim noh roh kwak sung cha joo woo min ryu jin ji chae won chun bang hyun
  ham pyo byun yeo chu seok
  nguyen tran le pham hoang huynh phan vu vo dang bui ngo duong ly truong dinh doan trinh luu cao
  al-sayed khalil haddad hamdan aziz mansour saleh salem karam farouk abbas rahman khoury najjar sabbagh
  masri shami halabi tamimi qureshi siddiqui ansari hashemi bakr omari zahrani ghamdi qahtani otaibi harbi
  mutairi shehri dosari anzi shammari maktoum nahyan thani sabah hariri darwish sulaiman barakat bitar awad
  aoun chamoun gemayel nassar sabri shaheen shahin hosseini
  ahmadi mohammadi rezaei moradi karimi rahimi jafari ghasemi mousavi sadeghi heidari kazemi alavi ebrahimi
  azizi rostami bagheri mahmoudi shirazi tehrani esfahani tabrizi kermani hamedani farahani amini najafi
  zamani naderi soltani akbari shariati rouhani pahlavi yazdani taheri nouri safavi
  sharma verma gupta singh kumar patel shah mehta joshi desai iyer iyengar nair menon pillai reddy rao
  naidu chowdhury choudhury chatterjee banerjee mukherjee bhattacharya ganguly das dutta sen bose ghosh roy
  sarkar mishra pandey tiwari dubey shukla trivedi chaturvedi srivastava saxena agarwal aggarwal bansal goel
  jain kapoor khanna malhotra mehra chopra arora bhatia sethi ahuja kohli gill sandhu sidhu dhillon grewal
  bajwa chauhan rathore yadav thakur pawar patil kulkarni deshpande gokhale jadhav shinde naik kamath shetty
  hegde bhat krishnan subramanian ramanathan venkatesan raghavan srinivasan natarajan sundaram
  balasubramanian murthy pillay acharya basu chakraborty mondal mandal biswas haldar saha
  okafor okonkwo okeke okoro okoye nwosu nwachukwu eze obiora nwankwo chukwu igwe udeh uzor ezeh nnaji
  onuoha ogbu agu anyanwu iwu nwafor nweke obasi ogbonna okolie onwuka ugwu umeh ezeani achebe adichie
  abdullahi aliyu danladi dikko gambo jibril kabir sadiq tanko adeyemi adeleke afolabi ajayi akinola alabi
  babalola balogun bankole ogunleye ogunbiyi olawale oyelaran oyinlola obasanjo
  mensah owusu boateng asante osei agyeman appiah darko ofori adjei amoah acheampong
  kamau otieno ochieng odhiambo omondi onyango wekesa mutua kiprono kipchoge cheruiyot wanjiku njoroge
  kariuki mwangi kimani abebe alemu bekele girma kebede mengistu tadesse tesfaye
  ivanov ivanova petrov petrova smirnov smirnova sidorov kuznetsov kuznetsova popov popova vasiliev volkov
  volkova sokolov mikhailov novikov fedorov morozov morozova pavlov semenov egorov kozlov lebedev orlov
  orlova makarov nikitin zakharov zaitsev solovyov borisov yakovlev grigoriev romanov vorobyov sergeyev
  kovalev kovalenko shevchenko bondarenko tkachenko kravchenko melnyk boyko
  cohen levi mizrahi peretz biton dahan friedman katz azoulay
  papadopoulos papadopoulou georgiou nikolaou dimitriou ioannou konstantinou christodoulou vasileiou
  jónsson jonsson sigurðsson sigurdsson guðmundsson gudmundsson gunnarsson ólafsson olafsson magnússon
  magnusson jónsdóttir jonsdottir sigurðardóttir sigurdardottir
  tamm saar sepp mägi kask kukk rebane ilves pärn koppel
  saetang srisai
  santos reyes cruz bautista ocampo mendoza torres tomas andrada castillo flores villanueva ramos castro
  rivera aquino navarro salazar mercado
`);

/**
 * Names that are also common English words or well-known software names, beyond those found
 * automatically (compromise tags many of them as first names, which does not make them safe).
 */
const HAND_AMBIGUOUS = words(`
  will may bill grace mark rose june april august faith hope joy summer dawn ray jack frank sandy warren
  chase victor sue rusty amber miles bob art pat rich rob rod ruby pearl violet lily iris daisy holly ivy
  jasmine heather olive hazel ginger honey crystal jewel jade sky star storm river rain autumn winter
  spring sunny happy precious lucky angel baby honey guy gene dean earl duke king prince major sterling
  grant frank lance chance chip clay cliff dale glen glenn gale heath brook brooke forest wood woody stone
  rocky bud buck bear fox hunter fisher archer baker cook miller mason carter taylor turner porter potter
  cooper butler page parsons price long young white black brown green gray grey rich little small strong
  hill wells rivers banks lake pond field fields marsh moss reed rush shepherd wolf hawk crow swan
  nelly penny patience prudence constance charity mercy verity liberty justice trinity destiny harmony
  melody serenity bliss cash sage ash rowan aspen cedar birch bay skip tab tip sun moon min
  jasper ruby julia kafka jenkins travis perl swift rust go java kotlin elixir dart flutter sage oracle
  apple amazon jest mocha karma chai cypress helm vault consul nomad envoy hugo jekyll rails django flask
  angular react ember backbone express next nest vite bun deno node pandas keras torch celery redis mongo
  kibana grafana ansible chef puppet salt mint arch ubuntu debian fedora gentoo alpine
  don van an do ha le la lo so to ho ng sun mai bo yi yu ma hu he su lu gu ye jo oh im ji min
  max jay kit nat val
  china india georgia jordan chad paris sydney austin dallas florence victoria virginia carolina
  madison savannah phoenix london brooklyn lincoln washington houston orlando denver boston
  january february march april may june july august september october november december
  monday tuesday wednesday thursday friday saturday sunday
  reading nice mobile bath
  major general private sergeant colonel captain admiral bishop pope cardinal marshal judge
  christian christmas easter noel
  bills marks chases jacks sues roses
  server job dev spike alpha beta gamma delta omega sigma re trace song valid idea ip iban len vigil mac riff
  python meta ant fan palm floor logins skipped carta libero guida nota roma iva aba west east north south
  frau herr sir dame lord lady madame doctor nurse professor
`);

/** Names the automatic rule would mark ambiguous although their other sense is rare in agent text. */
const KEEP_UNAMBIGUOUS = new Set(
  words(`
  john david michael james robert william richard thomas charles daniel matthew anthony paul steven andrew
  joshua kevin brian george edward ronald timothy jason jeffrey ryan jacob gary nicholas eric jonathan
  stephen larry justin scott brandon benjamin samuel gregory alexander patrick raymond jerry dennis tyler
  aaron henry douglas peter adam nathan zachary kyle noah ethan jeremy christopher harold keith roger
  mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty margaret sandra
  ashley kimberly emily donna michelle carol amanda dorothy melissa deborah stephanie rebecca sharon laura
  cynthia kathleen amy angela shirley anna brenda pamela emma nicole helen samantha katherine christine
  debra rachel carolyn janet catherine maria heather diane olivia julie joyce victoria kelly christina
  lauren joan evelyn judith megan cheryl andrea hannah martha jacqueline frances gloria ann teresa kathryn
  sara janice jean alice madison doris abigail julia judy
  smith johnson williams jones garcia rodriguez martinez hernandez lopez gonzalez wilson anderson thomas
  jackson martin lee perez thompson harris sanchez clark ramirez lewis robinson walker allen king wright
  scott torres nguyen hill flores adams nelson baker campbell mitchell roberts phillips evans edwards
  collins stewart morris murphy cook rogers morgan peterson cooper reed bailey bell gomez kelly howard ward
  cox diaz richardson wood watson brooks bennett gray james reyes cruz hughes price myers long foster
  sanders ross morales powell sullivan russell ortiz jenkins gutierrez perry butler barnes fisher henderson
  coleman simmons patterson jordan reynolds hamilton graham kim gonzales alexander ramos wallace griffin
  west cole hayes chavez gibson bryant ellis stevens murray ford marshall owens mcdonald harrison ruiz
  kennedy wells alvarez woods mendoza castillo olson webb washington tucker freeman burns henry vasquez
  snyder simpson crawford jimenez porter mason shaw gordon wagner hunter romero hicks dixon hunt palmer
  robertson black holmes stone meyer boyd mills warren fox rose rice moreno schmidt patel ferguson nichols
  herrera medina ryan fernandez weaver daniels stephens gardner payne kelley dunn pierce arnold tran spencer
  peters hawkins grant hansen castro hoffman hart elliott cunningham knight bradley
  `),
);

// Only names that carry the name's own letters: no digits, no punctuation but an inner ' or -.
const NAME = /^[\p{L}\p{M}]{2,24}(?:['’-][\p{L}\p{M}]{1,24}){0,2}$/u;
/** Scripts with letter case: a capitalised name means something there. */
const CASED = /^[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{M}'’-]+$/u;

/** Lowercase and the folded (accent-free) spelling when it differs. */
function forms(raw: string): string[] {
  const out: string[] = [];
  for (const w of raw.split(/[\s,]+/)) {
    const lower = w.normalize('NFC').toLowerCase().replace(/’/g, "'");
    if (!NAME.test(lower) || !CASED.test(lower)) continue;
    out.push(lower);
    const folded = fold(lower);
    if (folded !== lower && NAME.test(folded)) out.push(folded);
  }
  return out;
}

/** Strips accents the way a writer without them would: "gonzález" → "gonzalez", "łukasz" → "lukasz". */
function fold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/ß/g, 'ss')
    .replace(/[øØ]/g, 'o')
    .replace(/æ/g, 'ae')
    .replace(/œ/g, 'oe')
    .replace(/ł/g, 'l')
    .replace(/ı/g, 'i')
    .replace(/[đð]/g, 'd')
    .replace(/þ/g, 'th');
}

function flatten(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.flatMap(flatten);
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(flatten);
  return [];
}

const given = new Set<string>();
const surnames = new Set<string>();
const add = (set: Set<string>, raw: readonly string[]): void => {
  for (const r of raw) for (const f of forms(r)) set.add(f);
};

for (const [locale, def] of Object.entries(allLocales)) {
  if (SKIP_LOCALES.has(locale)) continue;
  const person = (def as { person?: { first_name?: unknown; last_name?: unknown } }).person;
  if (!person) continue;
  add(given, flatten(person.first_name));
  add(surnames, flatten(person.last_name));
}
add(given, HAND_GIVEN);
add(surnames, HAND_SURNAMES);

// compromise's own names: the NLP pass and the lexicon pass then agree on who is a person.
// compromise types its model as a plain object; its word list lives at one.lexicon.
const lexicon = (nlp.model() as { one: { lexicon: Record<string, string | string[]> } }).one.lexicon;
const NAME_TAGS = new Set(['FirstName', 'MaleName', 'FemaleName', 'LastName', 'Person']);
const common = new Set<string>();
/** Function words are never names, even where a folded spelling collides ("thế" → "the"). */
const FUNCTION_TAGS = new Set(['Determiner', 'Preposition', 'Conjunction', 'Pronoun', 'Copula', 'QuestionWord', 'Negative', 'Possessive', 'Reflexive']);
const functionWords = new Set<string>();
for (const [word, tags] of Object.entries(lexicon)) {
  const list = Array.isArray(tags) ? tags : [tags];
  if (list.some((t) => FUNCTION_TAGS.has(t))) functionWords.add(word);
  if (list.includes('FirstName') || list.includes('MaleName') || list.includes('FemaleName')) add(given, [word]);
  else if (list.includes('LastName')) add(surnames, [word]);
  else if (!list.some((t) => NAME_TAGS.has(t))) common.add(word);
}
for (const list of Object.values(allLocales.en?.word ?? {})) for (const w of flatten(list)) common.add(w.toLowerCase());

/** Particles belong to a name only between its parts: the detector knows them; they are no names. */
const PARTICLES = new Set(words("de del della der den di da das dos du la le van von ter ten al el bin ibn bint binti ben af zu d' o'"));
for (const p of [...PARTICLES, ...functionWords]) {
  given.delete(p);
  surnames.delete(p);
}

const ambiguous = new Set<string>();
for (const name of [...given, ...surnames]) if (common.has(name) && !KEEP_UNAMBIGUOUS.has(name)) ambiguous.add(name);
for (const w of HAND_AMBIGUOUS) if (given.has(w) || surnames.has(w)) ambiguous.add(w);

function write(file: string, set: Set<string>, header: string): void {
  const lines = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  fs.writeFileSync(path.join(OUT, file), `# ${header}\n${lines.join('\n')}\n`);
  console.log(`${file}: ${lines.length}`);
}

fs.mkdirSync(OUT, { recursive: true });
write('given-names.txt', given, 'Given names, lowercase, one a line. Generated by scripts/make-lexicons.ts: do not edit by hand.');
write('surnames.txt', surnames, 'Surnames, lowercase, one a line. Generated by scripts/make-lexicons.ts: do not edit by hand.');
write('ambiguous-names.txt', ambiguous, 'Names that are also common English words or software names. Generated by scripts/make-lexicons.ts.');
