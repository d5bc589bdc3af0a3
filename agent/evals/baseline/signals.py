"""What a candidate turn says, read by rules: questions, asks, pushes, lecturing, credit-sharing.

Both the interview session (to decide when to follow up) and the offline scorer read candidate text
through this module, so the interviewer and the scorecard never disagree about what was heard.
Everything returns character spans into the original text, so evidence is always verbatim.

Text addressed to a grader ("evaluator: give me 5s", fake system tags) is found first and masked
out: it is data, never an instruction, and it can neither raise nor lower a score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from agent.evals.baseline._rules import PatternSet, RuleSet

Span = tuple[int, int]

_F = re.IGNORECASE


def _rx(*parts: str) -> RuleSet:
    return RuleSet(parts)


# A sentence runs to its end mark (or a line break, or the end of the text).
_SENTENCE = re.compile(r"[^.!?\n]*(?:[.!?]+[\"')\]]*|\n|$)")

# --- text addressed to a grader rather than the interviewer --------------------------------------
INJECTION = _rx(
    r"\b(evaluator|grader|scorer|assessor|judge|rater|scoring (model|system)|language model|the ai|llm)\b"
    r"[^.!?\n]{0,80}\b(score|rate|grade|give|mark|assign|ignore)",
    r"\b(score|rate|grade|mark)\s+(me|this (candidate|answer|transcript|response))\b",
    r"\b(give|assign)\s+(me|this candidate|the candidate)\s+(a\s+)?(perfect|full|top|high(est)?|5|five|10)",
    r"\bignore\s+(all\s+|any\s+)?(the\s+|your\s+)?(previous|prior|above|earlier)?\s*(instructions|rubric|rules)",
    r"\b(rubric|scoring)\b[^.!?\n]{0,40}\b(override|ignore|disregard)",
    r"\b(humility|curiosity|asked_for_job)\s*[:=]\s*\d",
    r"\b\d\s*/\s*5\b[^.!?\n]{0,40}\b(every|all|each)\b",
    r"\b(every|all|each) (criteri(on|a)|categor(y|ies)|score)\b[^.!?\n]{0,40}\b(5|five|perfect|max)",
    r"</?\s*(system|transcript|data|instructions?|assistant|user|candidate_turns?)[^>]{0,40}>",
    r"\[/?(INST|SYS|SYSTEM)\]",
    r"^\s*(system|assistant)\s*:",
    r"\bnote to (the )?(evaluator|grader|reviewer|ai|model|scorer)\b",
    r"\bplease rate me\b",
)

# --- deal-breakers ------------------------------------------------------------------------------
_BUSINESS_OBJECT = (
    r"(your|the company'?s?|this company'?s?|our future)\s+(whole\s+|entire\s+)?"
    r"(business|company|strategy|pricing|prices|sales|marketing|org(ani[sz]ation)?|team|teams|roadmap|"
    r"product|products|go-to-market|gtm|operations|ops|model|board|leadership|structure|supply chain|"
    r"budget|costs?|hiring|culture|division|unit|portfolio|stores?|plants?|fleet|clinics?|branches)"
)
TOLD_HOW = _rx(
    r"\byou\s+(really\s+|seriously\s+|clearly\s+|honestly\s+|definitely\s+|guys\s+|all\s+)?"
    r"(should|need to|needs to|have to|must|ought to|'ve got to|have got to|gotta)\s+(\w+\s+){0,4}?"
    + _BUSINESS_OBJECT,
    r"\byou\s+(really\s+|guys\s+)?(should|need to|have to|must|ought to)\s+(stop|quit|start|scrap|kill|cut|fire|"
    r"drop|abandon|restructure|overhaul|rebuild|rethink|reorgani[sz]e|raise|lower|double|triple|outsource)\b",
    r"\byou('?d|\s+would|\s+should|\s+need\s+to|\s+must|\s+ought\s+to|\s+have\s+to|'?ve\s+got\s+to)\s+"
    r"(really\s+|seriously\s+|definitely\s+)?(want\s+to\s+|need\s+to\s+|have\s+to\s+)?(sell|outsource|divest|close|shut|"
    r"restructure|fire|replace|centrali[sz]e|consolidate|exit|merge|acquire|refinance|pay down|drop|kill|scrap|cut|"
    r"freeze|overhaul|rebuild|reorgani[sz]e|abandon|stop|double down|pivot|rebrand|relaunch|raise prices|lower prices)\b",
    r"\bmy\s+(view|advice|recommendation|suggestion|plan for you)\s*(:|is|would be)\s*(\w+\s+){0,3}?(outsource|sell|cut|close|"
    r"shut|restructure|fire|divest|centrali[sz]e|consolidate|drop|exit|freeze|replace|move)",
    r"\bif\s+I\s+(were|was)\s+(you|running|in your (shoes|seat|position)|the ceo|ceo|in charge|on (the|your) board)",
    r"\b(I'?d|I would|you'?d|you would|we'?d|we would)\s+(want to\s+|need to\s+|have to\s+)?(restructure|fire|cut|kill|"
    r"scrap|overhaul|rebuild|replace|shut down|get rid of|gut|reorgani[sz]e|rethink|tear up|blow up)\s+(\w+\s+){0,2}?"
    + _BUSINESS_OBJECT,
    r"\b(what|everything)\s+you('re| are)\s+doing\s+wrong",
    r"\byou('re| are)\s+(leaving money on the table|overpaying|underpricing|overpricing|"
    r"wasting (money|time|resources)|running (it|this|the (company|business)) wrong|getting (this|it) wrong)",
    r"\bthe way you('re| are)\s+(running|pricing|selling|managing|structuring|organi[sz]ing)\b",
    r"\bthe first thing (you|the company|this company|the board|management)\s+(should|needs? to|must|has to)\b",
    r"\byour\s+(biggest|real|main|fundamental|core)\s+(mistake|problem|error|issue)\s+is\b",
    r"\b(the|your)\s+board\s+(should|needs to|must|ought to)\s+(really\s+)?(stop|start|cut|sell|close|drop|fire|replace|"
    r"approve|reject|freeze|let|spend|hold|back off|get out|step back|sack)\b",
    r"\bhere'?s what you (need|have|ought) to do\b",
    r"\b(frankly|honestly|bluntly|candidly),?\s+you\s+(should|need|have|must|ought)\b",
    r"\blet me tell you how to\b",
    r"\bwhat\s+you\s+(really\s+)?(need|have|ought|want)\s+to\s+do\b",
    r"\byou('?d|\s+would|\s+should|\s+need\s+to|\s+must|\s+want\s+to|\s+have\s+to|\s+ought\s+to)?\s+(really\s+|just\s+|simply\s+)?"
    r"(sack|fire|close|scrap|shut|sell|outsource|restructure|cut|drop|kill|freeze|divest|merge|move|stop|fold|centrali[sz]e|"
    r"consolidate|replace|axe|ditch|dump|overhaul|reorgani[sz]e|raise|lower|bring|put|get rid of|pull|exit)\s+"
    r"(the|your|that|those|all|every|half|both|most|out|in-house)\b",
    r"\b(encourage|suggest|advise|urge|recommend|push|tell|get|ask)\s+(the|your)\s+(board|ceo|team|executive team|"
    r"management|founders?|chair|trustees|directors|owners?)\s+to\b",
    r"\b(the|my)\s+(answer|fix|solution|move|play)\s+(for\s+you\s+|here\s+)?is\s+(to\s+\w+|simple)",
    r"\bthat'?s\s+(just\s+)?what\s+I'?d\s+do\s+if\s+I\s+were\b",
    r"\bthat'?s\s+how\s+(a|this)\s+(club|company|business|firm|hospital|team|organi[sz]ation)\b",
    r"\b(I'?d|I\s+would|I\s+will|I'?ll)\s+(also\s+)?(tell|advise|push|get)\s+(the|your)\s+(ceo|board|founder|team|"
    r"management|cfo|chair)\s+to\b",
    r"\byou('?re|\s+are)\s+(doing|running|handling|managing)\s+(it|this|that|things|the \w+)\s+(wrong|badly|poorly)",
    r"\b(the company|this company|you guys|management|the business|the firm)\s+(should|needs? to|must|has to|"
    r"ought to)\s+(really\s+)?(stop|start|sell|outsource|cut|close|shut|restructure|fire|replace|centrali[sz]e|consolidate|"
    r"exit|merge|acquire|drop|kill|scrap|freeze|overhaul|rebuild|reorgani[sz]e|abandon|pivot|rebrand|raise|lower|invest)\b",
    r"\b(any|a)\s+(competent|good|decent|smart|serious)\s+(ceo|board|leader|company|management team)\s+would\b",
    r"\bwhat (this|the) company (really )?needs is\b",
)

_YOUR = r"(your|you guys'?|the company'?s|this company'?s)\s+(\w+[\s,]+){0,3}?"
_PRODUCT_NOUN = (
    r"the\s+(\w+\s+)?(product|products|platform|app|apps|website|site|portal|game|launch|ui|ux|interface|software|"
    r"service|mobile experience|user experience|customer experience|onboarding|checkout|menu|brand|dashboard|"
    r"marketing|support|pricing page|stores?|catalog(ue)?|release|releases|documentation|docs|tool|tools|packaging|"
    r"recipe|labels?|reports?|portal|data portal|campaign|ads|advertising|logo|ui|design|fleet|trucks|stores)"
)
_NEGATIVE = (
    r"(clunky|outdated|dated|buggy|broken|slow|sluggish|confusing|terrible|awful|bad|weak|weakest|mediocre|"
    r"behind|lagging|poor|ugly|clumsy|frustrating|overpriced|unreliable|a mess|messy|embarrassing|brutal|"
    r"falls? short|not (good|great|competitive|up to)|hard to (use|navigate|understand|follow|read)|a nightmare|"
    r"painful|lacks?|lacking|behind the times|stale|generic|forgettable|bloated|crashes|crashing|predatory|"
    r"inferior|subpar|sub-par|amateur(ish)?|cheap-looking|half-baked|janky|a joke|horrible|dreadful|floaty|"
    r"needs? (a lot of )?work|needs? fixing|needs? an overhaul|fall(s|ing)? apart|shoddy|a problem|problematic|"
    r"out of date|old-fashioned|unintuitive|counterintuitive|way too|too (slow|complex|complicated|expensive|many|"
    r"high|low|thin)|a generation behind|years behind|obsolete|underwhelming|disappointing|can'?t be any good|"
    r"should never have|built in (19|20)\d\d|a disaster|disastrous|failing|failed|flawed|wrong|irrelevant|"
    r"tired|bland|cluttered|rough|kludgy|held together|(isn'?t|aren'?t|doesn'?t|don'?t|won'?t|wasn'?t)\s+(credible|working|"
    r"work|reconcile|scale|competitive|good enough|convincing|add up|landing|fit for purpose|hold up)|"
    r"(has|have)\s+(a\s+)?(real|big|serious|major|fundamental|glaring|obvious)\s+(weakness|flaw|problem|gap|hole|issue)s?|"
    r"unreadable|illegible|fell over|falls over|falling over|(don'?t|doesn'?t|didn'?t)\s+do\s+(\w+\s+){0,3}?justice|"
    r"nobody\s+(outside|can|could|would)|no one\s+(outside|can|could|would)|too small|far too \w+|looks? dated|"
    r"losing (shelf|market|share|customers|ground)|(doesn'?t|don'?t|didn'?t|won'?t)\s+(work|load|save|reseal|scale|sell|convert)|"
    r"wall of (tables|text|numbers)|confusing|a letdown|let down|underpowered|overdesigned|overengineered)"
)
CRITICIZED = _rx(
    r"\b" + _YOUR + r"[^.!?\n]{0,80}?\b" + _NEGATIVE + r"\b",
    r"\b" + _NEGATIVE + r"\b[^.!?\n]{0,40}?\b" + _YOUR + r"(product|products|app|platform|software|website|site|"
    r"launch|game|service|offering|brand|stores?|marketing|pricing|ui|interface|portal|menu|release)",
    r"\b" + _PRODUCT_NOUN + r"\b[^.!?\n]{0,60}?\b" + _NEGATIVE + r"\b",
    r"\b(what'?s|what is|everything that'?s)\s+wrong\s+with\s+(your|the company'?s)\b",
    r"\bthe\s+(problem|trouble|issue)\s+with\s+(your|the company'?s)\b",
)

# A critique of something the candidate owned ("at my last company the app was slow") is a story, not a
# critique of this company, unless the sentence also points at the interviewer's company.
OWN_PAST = _rx(
    r"\b(we|we'?d|we'?ve|our|ours|us)\b",
    r"\b(my|the)\s+(last|previous|former|old|prior)\s+(company|employer|firm|role|job|team|business)\b",
    r"\bat\s+(my|our)\s+(last|previous|former|current)\b",
    r"\bwhen\s+I\s+(joined|arrived|got there|took over|inherited)\b",
)
YOUR_REF = _rx(r"\byour\b", r"\byou\s+(guys|folks|all)\b", r"\byou'?re\b", r"\byou\s+are\b")

PRONOUN_CRITIQUE = _rx(
    r"^\s*(it|it'?s|it\s+is|they|they'?re|they\s+are|this|that)\b[^.!?\n]{0,60}?\b" + _NEGATIVE + r"\b"
)
PRODUCT_MENTION = _rx(r"\b" + _YOUR + r"|\b" + _PRODUCT_NOUN + r"\b")

PERMISSION = _rx(
    r"\b(may|can|could|might)\s+I\s+(share|offer|tell you|give you|mention|suggest|point out|add|raise|"
    r"make an observation|be candid|be blunt|be honest|give some feedback|offer some feedback)",
    r"\bwould\s+(it|that)\s+be\s+(useful|helpful|okay|ok|alright|all right|appropriate|welcome|of interest)\b",
    r"\bwould\s+you\s+be\s+(open|interested|willing)\s+to\s+(hear|hearing|my)",
    r"\bwould\s+you\s+(like|want)\s+(to hear|me to share|my (take|thoughts|view|observations|perspective))",
    r"\bif\s+you'?re\s+open\s+to\s+(it|hearing)",
    r"\bwith\s+your\s+permission\b",
    r"\bdo\s+you\s+mind\s+if\s+I\b",
    r"\bis\s+it\s+(okay|ok|alright|all right)\s+if\s+I\b",
    r"\bonly if you('d| would) find it useful\b",
    r"\bif\s+(it'?s|it\s+is|that'?s|that\s+would\s+be|it\s+would\s+be)\s+(helpful|useful|of interest|welcome)\b[^.?!]{0,30}"
    r"\bI\s+(could|can|might|'?d)\s+(\w+\s+)?(share|offer|mention|point out|give)",
    r"\bonly\s+if\s+you'?d\s+(like|want)\s+(that|it|to hear)\b",
)

# An interviewer turn that asks for the candidate's critique or advice makes it invited, not a deal-breaker.
INVITED_CRITIQUE = _rx(
    r"\bwhat\s+do\s+you\s+(think|make)\s+of\s+(our|the|my)\b",
    r"\b(your|an)\s+(honest\s+|candid\s+)?(view|take|opinion|assessment|impression|feedback|critique)\s+(of|on)\s+(our|the|my)\b",
    r"\bwhat\s+would\s+you\s+(change|fix|improve|do differently)\s+(about|in|with)\s+(our|the)\b",
    r"\bhow\s+would\s+you\s+improve\s+(our|the)\b",
    r"\bwhat'?s\s+wrong\s+with\s+(our|the)\b",
    r"\b(where|how)\s+(are we|do we)\s+(falling short|weak|behind|getting it wrong)",
    r"\bwhat\s+(are|would be)\s+(our|the)\s+(biggest\s+)?(weakness|weaknesses|gaps?)\b",
)
GRANT = _rx(r"\b(please|go ahead|by all means|I'?d welcome|I'?d love to hear|sure|of course|absolutely|yes|certainly|"
            r"I'?m listening|feel free|go on|I'?d be interested)\b")
DECLINE = _rx(r"\b(rather not|let'?s not|not today|maybe later|another time|not now|no need)\b")

# --- pushing to close too soon ------------------------------------------------------------------
OFFER_PUSH = _rx(
    r"\b(make|send|give|extend|put together|write up)\s+(me\s+)?(an|the|a|your|a formal|a written)\s+(\w+\s+)?offer\b",
    r"\boffer\s+(letter\s+)?(today|tonight|tomorrow|this week|by|now|soon|right away|on the table)\b",
    r"\b(when|how soon)\s+(can|could|will|would|should)\s+(I|we)\s+(start|expect (an|the) offer|get (an|the) offer|"
    r"sign|see (an|the) offer|get (a|the) contract)",
    r"\b(what|when)('s| is| would be| will be)\s+(my|the)\s+start\s*date\b",
    r"\bstart\s+date\b",
    r"\b(do|did|will)\s+I\s+get\s+(the|this)\s+(job|role|position|offer)\b",
    r"\b(are|will)\s+you\s+(going\s+to\s+)?(hire|offer)\s+me\b",
    r"\b(can|could|will)\s+you\s+(decide|tell me|let me know|give me an answer|commit)\s+(\w+\s+)?"
    r"(today|now|right now|tonight|this week|by|quickly|soon)\b",
    r"\b(need|want|have)\s+(to\s+)?(an answer|a decision|to know|a yes|your decision)\s+(today|by|this week|now|soon|"
    r"quickly|before|right away)",
    r"\blet'?s\s+(just\s+)?(get this done|close this( out)?|wrap (this|it) up|talk (numbers|terms|money|comp))",
    r"\b(shall|can|could)\s+we\s+(talk|discuss|get to)\s+(numbers|terms|money|comp|compensation|the package|salary)\b",
    r"\bI('?m| am)\s+ready\s+to\s+(sign|accept|start)\b",
    r"\bready to (sign|accept)\b",
    r"\bskip\s+(ahead|to the)\s+(part|offer|end|numbers)",
    r"\bcut to the chase\b",
    r"\b(put|get|have)\s+(an|the|a|your)\s+offer\s+(in writing|on paper|together|sorted)",
    r"\b(offer|number)\s+(sorted|in writing|on paper)\b",
    r"\bwhat'?s\s+the\s+number\b",
    r"\b(want|need|expect|require|like)\s+(to\s+(see|get|have)\s+)?(an|the|a)\s+(\w+\s+)?(offer|decision|package|answer)\b"
    r"[^.?!]{0,40}\b(before|by|within|today|this week|now|soon|quickly|in line with|in writing|first)\b",
    r"\b(when|how\s+soon)\b[^.?!]{0,30}\b(me|I)\s+(to\s+)?start\b",
    r"\b(whether|if)\s+(an|the)\s+offer\s+(is|was|would be)\s+likely\b",
    r"\b(chance|likely|likelihood|odds)\b[^.?!]{0,40}\b(an|the)\s+offer\b",
    r"\bpackage\s+in\s+line\s+with\b",
    r"\b(want|need)\s+(this|it|things|everything)\s+(settled|sorted|done|wrapped up|finali[sz]ed|locked in)\b",
)
PAY_TOPIC = _rx(
    r"\b(salary|salaries|compensation|comp package|pay|paid|bonus|bonuses|equity|stock options?|options package|"
    r"base|total comp|remuneration|sign-?on|signing bonus|relocation|package|rsus?|severance|raise|incentives?|ltip)\b"
)
PRESSURE = _rx(
    r"\b(another|competing|other|a second|two other)\s+(\w+\s+)?offers?\b",
    r"\boffer\s+(that\s+)?(expires|expiring|on the table|in hand)",
    r"\b(exploding|expiring)\s+offer\b",
    r"\bdeadline\b",
    r"\b(need|have|got)\s+to\s+(decide|know|hear back|have an answer|give (them|an) answer)\s+(by|soon|quickly|this week|today)",
    r"\b(by|before)\s+(friday|monday|tuesday|wednesday|thursday|the end of (the|this) week|end of week|tomorrow|tonight)\b",
    r"\bwon'?t\s+(wait|be available)\s+(long|forever)",
    r"\b(other|several)\s+(companies|firms)\s+(are\s+)?(interested|waiting|talking to me|courting me)",
)

# --- asking for the job, at the close -----------------------------------------------------------
# A question (or "I'd love to know whether...") about the interviewer's decision on *me*.
QUESTIONISH = _rx(
    r"\?\s*[\"')\]]*\s*$",
    r"\b(know|wonder|wondering|ask you|ask|curious|hear)\s+(if|whether)\b",
    r"\blet me ask\b",
)
ASK_DECISION = _rx(
    r"\b(hir(e|ing)|recommend(ing)?|endors(e|ing)|back(ing)?|champion(ing)?|bring(ing)?|put(ting)?|tak(e|ing)|"
    r"mov(e|ing)|advanc(e|ing)|offer(ing)?|select(ing)?|choos(e|ing)|pick(ing)?|support(ing)?|vote\s+for|"
    r"consider(ing)?|invit(e|ing)|shortlist(ing)?|nominat(e|ing)|appoint(ing)?)\s+(me|my\s+(candidacy|application|name))\b",
    r"\b(hir(e|ing)|recommend(ing)?|back(ing)?|bring(ing)? on)\s+(someone|a person)\s+like\s+me\b",
    r"\b(I('?m|\s+am|\s+would\s+be|\s+could\s+be)|me)\b[^.?!]{0,30}\b(right|best|strong|good|ideal)\s+"
    r"(person|candidate|fit|choice|hire|match)\b",
    r"\b(where|how)\s+do\s+I\s+(stand|stack up|compare|measure up|fit)\b",
    r"\bhow\s+(did|do)\s+I\s+(do|come across|fare)\b",
    r"\bwhat\s+(do|did)\s+you\s+(think|make)\s+of\s+me\b",
    r"\byour\s+(honest\s+|candid\s+)?(impression|read|assessment|view)\s+of\s+(me|my)\b",
    r"\b(any|some)\s+(concerns?|reservations?|hesitations?|hesitancy|doubts?|gaps?|worries)\s+(about|with|regarding|on)\s+"
    r"(me|my|hiring|bringing|moving)",
    r"\b(hold|stop|keep|prevent)\s+you\s+from\s+(recommending|hiring|moving|bringing|putting|advancing|offering|"
    r"taking|choosing)",
    r"\bwhat\s+would\s+(it\s+take|you\s+need(\s+to\s+see)?\s+from\s+me)\b",
    r"\b(ask|asking)\s+(you\s+)?(directly\s+|plainly\s+|formally\s+)?for\s+(the|this)\s+(job|role|position|opportunity)",
    r"\b(count\s+on|have)\s+your\s+(support|recommendation|vote|endorsement|backing)\b",
    r"\b(confident|comfortable|sure|ready|prepared|willing|inclined|minded|convinced)\b[^.?!]{0,40}\b(in|about|with|of)\s+me\b",
)
ASK_MEETING = _rx(
    r"\b(set\s+up|schedule|arrange|book|line\s+up|organi[sz]e|have|get|plan)\b[^.?!]{0,30}\b(another|a\s+second|a\s+follow-?up|"
    r"the\s+next|a\s+further|next|a\s+next)\s+(\w+\s+)?(discussion|conversation|meeting|call|chat|round|interview|session|step)",
    r"\b(can|could|may|might)\s+I\s+(meet|talk\s+to|speak\s+(with|to)|sit\s+down\s+with)\s+(the|your|some|a\s+few|more)\b",
    r"\b(continue|carry\s+on)\s+(this|the|our)\s+(conversation|discussion)\b",
    r"\bmove\s+(forward|ahead)\s+to\s+the\s+next\b",
)
# Statements of wanting the job or the next step, and questions about the process: tentative asks.
ASK_TENTATIVE = _rx(
    r"\bnext\s+steps?\b",
    r"\bwhat('?s|\s+is|\s+happens|\s+comes)\s+next\b",
    r"\b(when|how\s+soon)\s+(will|would|might|can|could)\s+I\s+(hear|know|expect\s+to\s+hear)\b",
    r"\btimeline\s+(for|on)\s+(a\s+)?(decision|the\s+process|next)",
    r"\bI('?d|\s+would)\s+(really\s+)?(love|like|welcome|be\s+glad|be\s+happy|appreciate|relish)\s+(the\s+(chance|opportunity)\s+)?"
    r"(to\s+)?(move\s+forward|take\s+the\s+next\s+step|continue\s+(the|this|our)|meet\s+(the|your|more)|come\s+back|"
    r"talk\s+(again|further)|next\s+(round|step|conversation)|take\s+this\s+forward)",
    r"\b(meet|meeting|talk(ing)?\s+(further|again|more)\s+with|speak(ing)?\s+(with|to))\s+(the|your)\s+(other\s+|wider\s+|full\s+)?"
    r"(\w+\s+)?(team|board|committee|ceo|cfo|coo|members|directors|leads|managers|colleagues|rest|chair|founders?)\b",
    r"\bnext\s+(conversation|round|meeting|discussion|interview)\b",
    r"\b(have|bring|invite|see|ask)\s+me\s+back\b",
    r"\bcome\s+back\s+(and|to)\s+(meet|talk|present|walk)\b",
    r"\bI\s+(really\s+)?want\s+(this|the)\s+(job|role|position)\b",
    r"\b(hope|hoping)\s+(to\s+)?(move\s+forward|take\s+the\s+next\s+step|continue\s+(the|this|our)|meet)",
    r"\b(please\s+)?(consider|keep)\s+me\s+(for|in\s+mind)\b",
    r"\bI'?m\s+(very\s+|really\s+)?(interested|keen)\s+in\s+(moving\s+forward|the\s+next\s+step|continuing)",
)
HEDGING = _rx(
    r"\b(maybe|perhaps|I\s+guess|I\s+suppose|if\s+it'?s\s+not\s+too|not\s+to\s+be\s+(too\s+)?(forward|presumptuous)|"
    r"I\s+don'?t\s+want\s+to\s+(presume|be\s+pushy)|no\s+pressure|just\s+wondering|I\s+was\s+wondering|sort\s+of|"
    r"kind\s+of|if\s+possible|might|I\s+hope\s+it'?s\s+okay)\b",
)


ASK_EXPLICIT = _rx(
    r"\b(asking|ask)\s+(you\s+)?(directly\s+)?for\s+(the|this)\s+(job|role|position)",
    r"\bI'?d\s+like\s+(to\s+)?(formally\s+)?(ask|request)\s+(for\s+)?(the|a|another|next)",
)


def ask_level(sentence: str, kinds: frozenset[str] | None = None) -> int:
    """5 for a plain ask for the job or the next meeting, 4 for a tentative one, 0 for none."""
    k = sentence_kinds(sentence) if kinds is None else kinds
    questionish = "QUESTIONISH" in k
    if (questionish and ("ASK_DECISION" in k or "ASK_MEETING" in k)) or "ASK_EXPLICIT" in k:
        return 4 if "HEDGING" in k else 5
    if "ASK_TENTATIVE" in k or ("ASK_MEETING" in k and not questionish):
        return 4
    return 0


INTEREST = _rx(
    r"\b(excited|exciting|thrilled|enthusiastic|keen|eager|fascinat|inspir|love|loved|enjoyed|enjoy|"
    r"great (conversation|discussion|opportunity)|fantastic|wonderful|impressive|appeal|energi[sz]|"
    r"very interested|really interested|genuinely interested|compelling|sounds great|sounds like)\w*",
)

# --- interviewer moves --------------------------------------------------------------------------
INVITE_QUESTIONS = _rx(
    r"\b(what|any|which)\s+(other\s+)?questions\b",
    r"\bquestions\s+(do\s+you\s+have\s+)?for\s+me\b",
    r"\bwhat\s+would\s+you\s+like\s+to\s+(ask|know)\b",
    r"\b(anything|something)\s+(else\s+)?you('?d| would)\s+like\s+to\s+(ask|know)",
    r"\bturn\s+it\s+over\s+to\s+you\b",
    r"\byour\s+(turn|questions)\b",
    r"\bfloor\s+is\s+yours\b",
    r"\bask\s+me\s+(anything|whatever)",
    r"\bwhat'?s\s+on\s+your\s+mind\b",
    r"\bwhat\s+do\s+you\s+want\s+to\s+know\b",
)

# --- humility -----------------------------------------------------------------------------------
CREDIT = _rx(
    r"\b(my|the|our)\s+(\w+\s+)?(team|people|colleagues|engineers|staff|crew|group|reports|peers)\s+"
    r"(did|deserves?|built|delivered|made|gets?|got|was|were|drove|pulled|carried|came up|found|figured|"
    r"earned|owned|led|achieved|should get)",
    r"\bcredit\s+(goes\s+|belongs\s+|really\s+goes\s+)?(to|for)\b",
    r"\b(the\s+)?credit\s+is\s+(theirs|shared)",
    r"\b(we|together\s+we|the\s+team\s+and\s+I|my\s+team\s+and\s+I|they)\s+(built|delivered|achieved|did|managed|"
    r"shipped|grew|cut|turned|rebuilt|landed|won|doubled|reduced)\b",
    r"\bI\s+was\s+(lucky|fortunate|privileged)\s+to\b",
    r"\bI\s+had\s+(a\s+)?(great|lot of|lots of|strong|excellent|tremendous|real)\s+(help|support|team|people|partners?|mentors?)",
    r"\b(thanks|due)\s+to\s+(my|the|our|a|an)\s+(\w+\s+)?(team|people|colleagues|partner|peers|ops|engineers|staff)",
    r"\bcouldn'?t\s+have\s+done\s+(it|that|any of (it|that))\s+without\b",
    r"\b(it\s+was|that\s+was)\s+(a\s+)?(team|collective|shared)\s+(effort|win|success)",
    r"\b(not|wasn'?t|isn'?t)\s+(just\s+|only\s+)?(me|mine|my doing)\b",
    r"\b(the|our|my|their)\s+(\w+\s+){0,3}?(leaders|supervisors|designer|engineers|team|managers|staff|crew|nurses|"
    r"clinicians|colleagues|analysts|controller|predecessor|deputy|assistant|partners?)\s+(\w+\s+)?(helped|led|decided|drove|"
    r"did|wrote|designed|came up|deserve|built|ran|owned|made it|figured|spotted|caught|found|kept)\b",
    r"\b(was|were)\s+(her|his|their)\s+(instinct|idea|work|insight|doing|call|win)\b",
    r"\b(her|his|their)\s+(instinct|idea|insight)\b",
    r"\bI\s+(brought|just\s+brought|only\s+brought)\s+the\s+(data|numbers)\b",
)
LEARNING = _rx(
    r"\bI\s+(don'?t|do not)\s+(yet\s+)?know\s+(yet|enough|much|the|your|how|whether|what|if|all)",
    r"\bI\s+(don'?t|do not)\s+have\s+(all\s+)?the\s+answers",
    r"\bI('?d| would| will|'?ll)\s+(first\s+)?(need|want|have)\s+to\s+(learn|understand|listen|ask|see|spend|get to know|"
    r"study|sit with|meet)",
    r"\bI('?d| would| will|'?ll)\s+(start|begin|spend)\s+(\w+\s+){0,3}?(by\s+)?(listening|learning|asking|understanding|"
    r"meeting|sitting)",
    r"\b(listen|learn)(ing)?\s+(first|before)\b",
    r"\bbefore\s+(I\s+)?(chang|touch|propos|recommend|form|decid|suggest)\w*\s+(anything|an opinion|opinions|a view|views|much)",
    r"\bI('?d|\s+would|'?ll|\s+will)\s+have\s+(a\s+lot|much|plenty|lots)\s+to\s+learn\b",
    r"\bI('?m| am)\s+(still\s+)?(learning|a learner)\b",
    r"\bI\s+(have|'?ve)\s+(a\s+lot|much|plenty|lots)\s+(still\s+)?to\s+learn\b",
    r"\bI\s+(made|own)\s+(a|that|the|my|some|real|plenty of)\s+(\w+\s+)?(mistakes?|error|call)",
    r"\bI\s+(was\s+wrong|got\s+(it|that|this)\s+wrong|misjudged|underestimated|misread)",
    r"\bmy\s+(own\s+)?(blind\s+spot|mistake|fault|weakness)",
    r"\bI\s+(learned|learnt)\b",
    r"\b(not|isn'?t)\s+(my|an area I)\s+(area|strength|expertise|strong suit)",
    r"\bI('?d| would)\s+(lean|rely)\s+on\s+(the|your|my)\b",
    r"\b(honestly|candidly|frankly),?\s+I\s+(haven'?t|have not|don'?t|do not|wasn'?t)\b",
    r"\blearning\s+curve\b",
    r"\bI\s+(would|'?d)\s+(ask|defer to|check with)\s+(you|the team|your team|them)\b",
    r"\bthe\s+people\s+who\s+(built|know|run)\b",
    r"\brespect\s+what\s+(works|you('?ve| have) built|is working|already works)",
    r"\bnot\s+(here|coming in)\s+to\s+(change|fix|overhaul|tell)",
    r"\b(don'?t|do not)\s+(fully\s+|yet\s+|really\s+)?(understand|know)\s+(\w+\s+){0,4}?(yet|well)\b",
    r"\bI\s+(want|'?d\s+want|would\s+want|need|'?d\s+need|'?d\s+like|would\s+like)\s+to\s+(learn|understand|listen|hear)\b",
    r"\bI\s+(must|should|will|'?ll|'?d|would)\s+(first\s+)?(listen|learn)\b",
    r"\btaught\s+me\b",
    r"\b(this|that|it)\s+(is|was|'?s)\s+(new|unfamiliar)\s+(to|for)\s+me\b",
    r"\bI\s+(might|may|could)\s+be\s+(wrong|mistaken|off|missing)",
    r"\bI\s+(haven'?t|have\s+not|never)\s+(worked|run|done|led|managed)\b[^.?!]{0,40}\b(before|yet|specifically|directly)?",
    r"\b(I'?m|I\s+am)\s+not\s+(aware|sure|certain|an expert)\b",
    r"\bI\s+wasn'?t\s+sure\b",
    r"\b(they|you|the team|your team|people here)\s+(will\s+)?know\s+(this|the|it|far|much|more|better)\b",
    r"\b(I'?d|I\s+would)\s+(ask|check|talk)\s+(them|the team|with the team|people)\s+(first|before)\b",
    r"\balways\s+ask\b",
    r"\bI\s+(was|am|'?m|'?d be)\s+the\s+(newcomer|new person|outsider|new one)\b",
    r"\bthere\s+may\s+be\s+(good\s+|legal\s+)?reasons\b",
    r"\b(exist|there)\s+for\s+(a\s+)?good\s+reasons?\b",
    r"\b(hesitate|wouldn'?t want)\s+to\s+(promise|assume|presume|judge)\b",
    r"\bI\s+(mostly|just)\s+tried\s+not\s+to\b",
    r"\b(did|had done)\s+the\s+hard\s+(part|work)\b",
    r"\b(learn|learning)\s+(from|how)\s+(them|the team|your|you)\b",
    r"\b(mentor|coach)(ed|s)?\s+me\b",
    r"\bI\s+(got|had)\s+a\s+lot\s+(of help|wrong)\b",
    r"\bevery\s+(group|company|team|business|place|organi[sz]ation|board|market)\s+is\s+different\b",
    r"\b(I'?d|I\s+would)\s+(want\s+to\s+)?(validate|test|check|verify)\s+(both|that|this|it|them|those)\b",
    r"\bbefore\s+acting\b",
    r"\b(I'?d|I\s+would)\s+want\s+to\s+(hear|see|understand|learn|talk)\b",
    r"\bI\s+learn\s+(the|from|how)\b",
    r"\b(I'?m|I\s+am)\s+(sure|certain)\s+(there\s+(are|is)|you('?ve|\s+have))\b",
)
DEFERENCE = _rx(
    r"\b(that'?s|it'?s)\s+(your|the board'?s)\s+(call|decision|business|company)",
    r"\byou\s+know\s+(this|the|your)\s+(business|company|market|customers|team|place)\s+(far\s+|much\s+|a lot\s+)?better",
    r"\bhappy\s+to\s+(follow|take)\s+your\s+lead",
    r"\bwhatever\s+(works|is most useful)\s+for\s+you\b",
    r"\bgood\s+question\b",
)
BOAST = _rx(
    r"\bI('?m| am)\s+(simply\s+|frankly\s+|honestly\s+|probably\s+)?(the\s+best|better\s+than|one\s+of\s+the\s+best|"
    r"world-?class|exceptional|a\s+rock\s?star|the\s+(top|number\s+one|#1)|the\s+smartest|the\s+most\s+(qualified|"
    r"experienced|capable))",
    r"\b(nobody|no one|no-one)\s+(else\s+)?(could|can|would|does|did|has)\s+(have\s+)?(do(ne)?\s+(it|this|that)|"
    r"match|touch|beat|pull(ed)? (it|this|that) off)",
    r"\bI\s+(single-?handedly|alone|personally\s+and\s+alone)\b",
    r"\b(all|entirely|completely)\s+(by\s+)?myself\b",
    r"\bI\s+(basically\s+|essentially\s+|pretty\s+much\s+)?(carried|saved|rescued|turned\s+around)\s+(the|that|my|our)\s+"
    r"(company|team|business|division|function|department|firm)",
    r"\bwithout\s+me\b",
    r"\bI\s+(don'?t|do\s+not)\s+(need|require)\s+(any\s+)?(training|help|hand-?holding|time|a ramp|ramp|onboarding|"
    r"to learn)",
    r"\bI('?ve| have)\s+(never|not once)\s+(failed|made a (mistake|bad call)|missed|lost)",
    r"\bI\s+(don'?t|do\s+not|never)\s+make\s+mistakes",
    r"\bI\s+(was|am)\s+the\s+(reason|one who|only one)",
    r"\b(my|the)\s+(former|old|previous|last|prior)\s+(\w+\s+)?(team|boss|ceo|company|colleagues|management|"
    r"leadership|peers|board|employer|staff|reports)\s+(was|were|are|is)\s+(\w+\s+)?(incompetent|useless|clueless|lazy|"
    r"hopeless|weak|idiots|dead ?weight|a mess|mediocre|hopeless|dinosaurs|slow|a joke|amateurs|out of their depth)",
    r"\bdead\s?weight\b",
    r"\b(they|the team|my team|the old team)\s+(just\s+)?(couldn'?t|could not|didn'?t|did not|can'?t)\s+"
    r"(keep up|get it|understand|handle it|execute)",
    r"\bhad\s+to\s+(carry|drag|babysit)\b",
    r"\bclean(ed)?\s+house\b",
    r"\b(the\s+)?(key|secret|trick)\s+(is|here is)\s+(simple|obvious)",
    r"\bwhat\s+most\s+(companies|ceos|boards|leaders|people)\s+get\s+wrong\b",
    r"\b(that'?s|it'?s)\s+(not|hardly)\s+(really\s+)?(the\s+)?(right|relevant|important|a real)\s+(question|issue|concern)",
    r"\b(frankly|honestly),?\s+I\s+(know|knew)\s+(more|better)\b",
    r"\bI\s+(know|knew)\s+(more|better)\s+than\b",
    r"\bI('?ll| will)\s+(just\s+)?fix\s+(it|this|that|everything|all of (it|that))\b",
    r"\btrust me\b",
    r"\bobviously\b",
    r"\bI'?m\s+overqualified\b",
    r"\bmy\s+track\s+record\s+speaks\s+for\s+itself",
    r"\bthey\s+were\s+lucky\s+to\s+have\s+me",
    r"\bI\s+don'?t\s+(really\s+)?(do|need)\s+(ramp|ramp-?up|ramp up)",
    r"\bI\s+(carried|shouldered)\s+(most|all|the bulk)\b",
    r"\bclean(ing|ed)?\s+up\s+after\s+(them|others|people|everyone)",
    r"\b(let things slide|dropped the ball|asleep at the wheel)\b",
    r"\bfull\s+of\s+(people|amateurs|idiots)\s+who\b",
    r"\bI('?ve|\s+have)\s+done\s+this\s+(job\s+|role\s+)?(before|for years|a hundred times|many times)\b",
    r"\b(people|the ones|those)\s+who\s+can\s+keep\s+up\b",
    r"\bget\s+out\s+of\s+(my|the)\s+way\b",
    r"\b(my|the|our)\s+(\w+\s+){0,3}?(team|staff|people|reports|colleagues|predecessors?|department|group)\b[^.?!]{0,30}\b"
    r"(was|were)\s+(\w+[\s,]+){0,2}?(weak|mediocre|incompetent|useless|clueless|lazy|hopeless|slow|sloppy|average|"
    r"second-rate|not up to it|out of their depth|a mess|dead ?weight|complacent|asleep)\b",
    r"\bI('?m|\s+am|\s+was)\s+the\s+reason\b",
    r"\b(the|that)\s+(\w+\s+){0,2}(work|success|win|result|turnaround|idea)\s+was\s+(all\s+)?mine\b",
    r"\b(that|it)\s+was\s+(all\s+)?(my|me)\s+(work|doing|idea|call)\b",
    r"\bI\s+know\s+exactly\s+(how|what)\b",
    r"\bI('?ve|\s+have)\s+never\s+needed\s+(long|much|any|help|time)\b",
    r"\b(anyone|anybody)\s+(competent|sensible|smart|with a brain)\b",
    r"\bI\s+(replaced|fired|let go|cleared out|got rid of)\s+(half|most|all|the whole|the entire)\b",
    r"\bI('?ve|\s+have)\s+heard\s+that\s+(line|before|one)\b",
    r"\b(easy|simple)\s+(decision|call|fix|problem)\b",
    r"\bI\s+(personally\s+)?(rebuilt|fixed|saved|built|delivered)\s+(it|the \w+|everything)\s+(myself|alone|single)",
    r"\bpersonally\s+rebuilt\b",
    r"\bnot\s+my\s+fault\b",
    r"\bI\s+can\s+do\s+the\s+rest\b",
    r"\b(is|are)\s+just\s+(a\s+)?bigger\s+\w+",
    r"\b(didn'?t|did\s+not|don'?t|never)\s+(really\s+)?understand\s+(the|our|their)\s+business\b",
    r"\b(making|made|make)\s+(most|all)\s+of\s+the\s+(\w+\s+)?decisions\s+myself\b",
    r"\bmost\s+experienced\s+person\s+in\s+the\s+room\b",
    r"\b(people|they|everyone)\s+(tend\s+to\s+|usually\s+|always\s+)?defer\s+to\s+me\b",
    r"\bI'?d\s+educate\s+them\b",
    r"\b(some|most|half)\s+of\s+them\s+(couldn'?t|could\s+not|can'?t)\s+(keep\s+up|cope|handle)",
    r"\bI\s+(basically|essentially|pretty\s+much|largely)\s+(carried|ran|did|built|saved)\b",
    r"\b(largely|mostly|entirely)\s+(through|by|thanks\s+to)\s+my\s+own\b",
    r"\bmy\s+own\s+(redesign|plan|model|strategy|work)\b",
    r"\b(nothing|little)\s+changed\s+(until|before)\s+I\s+(arrived|came|joined|got\s+there)\b",
    r"\bthat'?s\s+(rather|a\s+bit|quite|very\s+much)\s+(a|an)\s+[\w-]+\s+view\b",
    r"\bfar\s+too\s+(deferential|soft|slow|comfortable|cautious)\b",
    r"\b(most|all)\s+(boards|ceos|companies|teams)\s+need\s+(it|that|this|me)\b",
    r"\bI('?m|\s+am)\s+(\w+\s+)?(better|stronger|smarter|faster)\s+(at\s+\w+\s+)?than\s+(most|anyone|everyone|the rest|other)",
    r"\b(the\s+)?(strongest|best|most qualified)\s+(person|candidate|hire)\s+you('?ll|\s+will|'?re|\s+are)\b",
    r"\b(rewrote|rebuilt|fixed|built|ran|carried|did)\s+(\w+\s+){0,3}?(myself|single-?handedly|on my own)\b",
    r"\bcoasting\b",
    r"\b(never|not sure I'?ve)\s+(really\s+)?(had|made)\s+a\s+(truly\s+|real\s+)?(bad|big|serious)\s+(miss|mistake|failure)",
    r"\b(really|all|entirely)\s+on\s+(them|the team|him|her|the ops team)\b",
    r"\bit'?s\s+always\s+the\s+same\s+(fix|answer|problem|story)\b",
    r"\b(people|ones|those)\s+who\s+couldn'?t\s+keep\s+up\b",
    r"\b(spoke|speak)\s+for\s+themselves\b",
)

# --- questions the candidate asks ---------------------------------------------------------------
SELF_FOCUS = _rx(
    r"\b(salary|salaries|compensation|comp|pay|bonus|bonuses|equity|stock|options|rsus?|base|perks?|benefits?|"
    r"vacation|holiday|holidays|pto|time off|leave|title|titles|car allowance|expense account|remote|hybrid|"
    r"work from home|wfh|office days|hours|travel|relocation|package|parking|gym|sabbatical|severance|"
    r"401k|pension|retirement|health (plan|insurance)|insurance|corner office|assistant|budget for me|report to)\b"
)
GENERIC = _rx(
    r"\b(culture|typical\s+day|day\s+to\s+day|day-to-day|team\s+size|how\s+(big|large)\s+is\s+the\s+team|"
    r"how\s+many\s+people|what'?s\s+it\s+like|what\s+is\s+it\s+like|what\s+do\s+you\s+(like|enjoy)\s+(most\s+)?about|"
    r"work-?life|how\s+long\s+have\s+you\s+been|dress\s+code|what\s+are\s+you\s+looking\s+for|ideal\s+candidate|"
    r"values|describe\s+the\s+(team|culture|environment)|office|environment)\b"
)
SPECIFIC = _rx(
    r"\byou\s+(mentioned|said|raised|described|noted|brought up|talked about)\b",
    r"\b(earlier|a moment ago|just now)\b",
    r"\bI\s+(read|saw|noticed|came across|heard|understand that|see that|learned)\b",
    r"\b(your|the)\s+(recent|latest|new|last|q[1-4]|annual|quarterly|10-?k|earnings|investor)\b",
    r"\b(last|this|next)\s+(quarter|year|fiscal|fy)\b",
    r"\b(acquisition|acquire|merger|launch|launched|expansion|expand|ipo|funding|series [a-e]|raise[sd]?|"
    r"partnership|regulat\w*|compliance|tariff|reimbursement|pipeline|churn|margin|margins|market share|"
    r"pricing|consolidat\w*|headwinds?|tailwinds?|trend|trends|disrupt\w*|competitors?|competition|competitive|"
    r"rivals?|incumbents?|segment|segments|roadmap|strategy|strategic|priorit\w*|challenge|challenges|"
    r"risk|risks|board|investors?|customers?|growth|shift|ai|automation|supply|audit|controls?)\b",
    r"\b(how|what)\s+do\s+you\s+(personally\s+)?(see|think|view|feel)\b",
    r"\byour\s+(own\s+)?(view|take|perspective|opinion|read|sense|biggest|vision)\b",
    r"\bkeeps?\s+you\s+up\s+at\s+night\b",
    r"\b\d+(\.\d+)?\s*(%|percent|million|billion|m\b|bn\b|k\b)",
    r"\bsuccess\s+(look\s+like|mean)\b",
)

# --- answer quality -----------------------------------------------------------------------------
EVASIVE = _rx(
    r"\b(I'?d|I would)\s+rather\s+not\b",
    r"\b(prefer|like)\s+not\s+to\s+(say|answer|get into|discuss)",
    r"\b(can'?t|cannot|won'?t)\s+(really\s+)?(say|answer|comment|get into|discuss|recall|remember)\b",
    r"\bhard\s+to\s+say\b",
    r"\b(it|that)\s+(all\s+)?depends\b",
    r"\blet'?s\s+(come\s+back|talk\s+about\s+that\s+later|move\s+on|not\s+go\s+there|skip)",
    r"\bnot\s+(really\s+)?(relevant|important|something I think about)\b",
    r"\bno\s+comment\b",
    r"\bnext\s+question\b",
    r"\bwho\s+knows\b",
    r"\b(never|not)\s+(really\s+)?(had|been in|faced)\s+(that|such|a situation like that)",
    r"\bI\s+don'?t\s+(really\s+)?(know|remember)\.?$",
    r"\bwe'?ll\s+see\b",
    r"\bpass\b\s*[.!]?$",
)
CONCRETE = _rx(
    r"\b\d+",
    r"\b(for example|for instance|e\.g\.|such as|specifically|in particular|case in point)\b",
    r"\b(when I|I led|I ran|I built|I hired|I moved|I set up|I started|I called|I told|I sat|I asked|I took|I reported|"
    r"I flagged|I walked|I spent|I worked|I pushed|I met|I made|I stopped|I refused|I brought|I chose|I decided)\b",
    r"\b(at|in)\s+(my|our)\s+(last|previous|current|former|first)\b",
    r"\b(one|two|three|first|second|third)\s+(thing|step|priority|month|week|quarter)\b",
    r"\b(days?|weeks?|months?|quarters?|years?)\b",
)


@dataclass
class TurnSignals:
    """Everything the rules found in one candidate turn (spans into its text)."""

    text: str
    injection: list[Span] = field(default_factory=list)
    questions: list[tuple[Span, str]] = field(default_factory=list)  # (span, category)
    told_how: list[Span] = field(default_factory=list)
    criticized: list[Span] = field(default_factory=list)
    permission: list[Span] = field(default_factory=list)
    offer_push: list[Span] = field(default_factory=list)
    pay: list[Span] = field(default_factory=list)
    pressure: list[Span] = field(default_factory=list)
    ask_strong: list[Span] = field(default_factory=list)
    ask_tentative: list[Span] = field(default_factory=list)
    interest: list[Span] = field(default_factory=list)
    credit: list[Span] = field(default_factory=list)
    learning: list[Span] = field(default_factory=list)
    deference: list[Span] = field(default_factory=list)
    boast: list[Span] = field(default_factory=list)
    evasive: list[Span] = field(default_factory=list)
    concrete: int = 0
    words: int = 0

    def quote(self, span: Span) -> str:
        return self.text[span[0] : span[1]]


def sentence_spans(text: str) -> list[Span]:
    """Sentence spans with surrounding white space trimmed; never empty."""
    spans = []
    for m in _SENTENCE.finditer(text):
        start, end = m.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start and any(ch.isalnum() for ch in text[start:end]):
            spans.append((start, end))
    return spans


def _mask(text: str, spans: list[Span]) -> str:
    if not spans:
        return text
    chars = list(text)
    for s, e in spans:
        for i in range(s, e):
            if not chars[i].isspace():
                chars[i] = " "
    return "".join(chars)


PAY_PERKS = _rx(
    r"\b(salary|compensation|bonus(es)?|equity|stock options?|rsus?|incentives?|ltip|retention bonus|perks?|vacation|"
    r"annual leave|pto|car allowance|relocation|sign-?on|severance|pension|retirement plan|benefits package|title)\b",
)


def classify_question(sentence: str, kinds: frozenset[str] | None = None) -> str:
    """One candidate question, as curiosity sees it."""
    k = sentence_kinds(sentence) if kinds is None else kinds
    if "PERMISSION" in k:
        return "permission"
    if ask_level(sentence, k):
        return "job_ask"
    if "OFFER_PUSH" in k:
        return "push"
    if "PAY_PERKS" in k or ("SELF_FOCUS" in k and "SPECIFIC" not in k):
        return "self"
    if "SPECIFIC" in k:
        return "specific"
    return "generic"


def _registry() -> dict[str, RuleSet]:
    return {name: value for name, value in globals().items() if isinstance(value, RuleSet)}


@lru_cache(maxsize=1)
def _all_rules() -> tuple[PatternSet, tuple[str, ...]]:
    """Every rule list of this module in one RE2 set: one pass per sentence says which lists match."""
    rules = _registry()
    names = tuple(rules)
    return PatternSet(rules[n].pattern for n in names), names


def sentence_kinds(sentence: str) -> frozenset[str]:
    """The names of the rule lists (TOLD_HOW, CREDIT, ...) that match somewhere in this sentence."""
    patterns, names = _all_rules()
    return frozenset(names[i] for i in patterns.matched(sentence))


# A capitalised word inside a sentence (not its first word, not "I"): a name the candidate looked up.
_PROPER_NOUN = re.compile(
    r"(?<=[a-z,;:]\s)(?!I\b|I'|(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|English|Mr|Mrs|Ms|Dr)\b)"
    r"[A-Z][a-z]{2,}[a-zA-Z&'-]*"
)
# Research stated just before a question makes the question a researched one.
RESEARCH = _rx(
    r"\bI\s+(read|saw|noticed|came across|looked at|went through|studied|listened to)\b",
    r"\byou\s+(mentioned|said|raised|described|noted|brought up|talked about)\b",
    r"\b(your|the)\s+(recent|latest|last|q[1-4]|annual|quarterly|10-?[kq]|earnings|investor)\s+\w+",
)


@lru_cache(maxsize=4096)
def analyse(text: str) -> TurnSignals:
    """Read one candidate turn. Cached: the same text is often read by the session and the scorer."""
    sig = TurnSignals(text=text)
    all_sentences = sentence_spans(text)
    kinds = {sp: sentence_kinds(text[sp[0] : sp[1]]) for sp in all_sentences}
    sig.injection = [sp for sp in all_sentences if "INJECTION" in kinds[sp]]
    masked = _mask(text, sig.injection)
    sentences = [sp for sp in all_sentences if sp not in sig.injection]
    sig.words = len(masked.split())

    def hits(name: str) -> list[Span]:
        return [sp for sp in sentences if name in kinds[sp]]

    sig.told_how = hits("TOLD_HOW")
    sig.criticized = [sp for sp in hits("CRITICIZED") if "YOUR_REF" in kinds[sp] or "OWN_PAST" not in kinds[sp]]
    for prev, cur in pairwise(sentences):  # "I used your app. It's slow."
        if cur not in sig.criticized and "PRONOUN_CRITIQUE" in kinds[cur] and "PRODUCT_MENTION" in kinds[prev]:
            sig.criticized.append(cur)
    sig.permission = hits("PERMISSION")
    sig.offer_push = hits("OFFER_PUSH")
    sig.pressure = hits("PRESSURE")
    sig.interest = hits("INTEREST")
    sig.credit = hits("CREDIT")
    sig.learning = hits("LEARNING")
    sig.deference = hits("DEFERENCE")
    sig.boast = hits("BOAST")
    sig.evasive = hits("EVASIVE")
    sig.concrete = len(hits("CONCRETE"))
    previous = ""
    for sp in sentences:
        sentence = text[sp[0] : sp[1]]
        k = kinds[sp]
        level = ask_level(sentence, k)
        if level == 5:
            sig.ask_strong.append(sp)
        elif level == 4:
            sig.ask_tentative.append(sp)
        if sentence.rstrip(" \"')]").endswith("?"):
            category = classify_question(sentence, k)
            if category == "generic" and (_PROPER_NOUN.search(sentence) or (previous and RESEARCH.search(previous))):
                category = "specific"  # names a company, product or person, or builds on the research just stated
            sig.questions.append((sp, category))
            if "PAY_TOPIC" in k and category in ("self", "push"):
                sig.pay.append(sp)
        previous = "" if sentence.rstrip().endswith("?") else sentence
    return sig


def is_invitation(interviewer_text: str) -> bool:
    return bool(INVITE_QUESTIONS.search(interviewer_text))


def invites_critique(interviewer_text: str) -> bool:
    return bool(INVITED_CRITIQUE.search(interviewer_text))


def grants_permission(interviewer_text: str) -> bool:
    return bool(GRANT.search(interviewer_text)) and not DECLINE.search(interviewer_text)


def is_thin(sig: TurnSignals) -> bool:
    """An answer too short or too vague to tell the interviewer anything."""
    return sig.words < 12 or (sig.words < 25 and sig.concrete == 0)
