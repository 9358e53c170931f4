"""The report's words: its string table in the five label languages and the
helpers that put numbers, lists and reasons into sentences."""

from __future__ import annotations

from collections.abc import Iterable

from matcher import Reason, Taxonomy
from service.documents.capacity_map import labels_by_language

RTL_LANGUAGES = frozenset({"ar"})
DECIMAL_COMMA = frozenset({"fr", "es", "pt"})
PERCENT_SPACE = {"fr": "\u202f", "es": "\u00a0"}

UNMATCHED_CODES = ("no_shared_language", "no_stronger_mentor", "all_excluded", "capacity")


TEXT = labels_by_language(
    {
        "title": (
            "Peer learning across the network",
            "L'apprentissage entre pairs dans le réseau",
            "El aprendizaje entre pares en la red",
            "A aprendizagem entre pares na rede",
            "التعلّم بين الأقران في الشبكة",
        ),
        "lede": (
            "{members} members. Where know-how is and where it is missing, the mentor pairs "
            "proposed for this round, the learning circles, and who can help whom.",
            "{members} membres. Où se trouvent les savoir-faire et où ils manquent, les binômes "
            "de mentorat proposés pour ce cycle, les cercles d'apprentissage, et qui peut aider "
            "qui.",
            "{members} miembros. Dónde está la experiencia y dónde falta, las parejas de "
            "mentoría propuestas para esta ronda, los círculos de aprendizaje y quién puede "
            "ayudar a quién.",
            "{members} membros. Onde estão as competências e onde faltam, os pares de mentoria "
            "propostos para esta rodada, os círculos de aprendizagem e quem pode ajudar quem.",
            "{members} عضوًا. أين توجد الخبرات وأين تنقص، وثنائيات الإرشاد المقترحة لهذه "
            "الجولة، وحلقات التعلّم، ومن يستطيع مساعدة من.",
        ),
        "key_figures": (
            "Key figures",
            "Chiffres clés",
            "Cifras clave",
            "Números-chave",
            "أرقام رئيسية",
        ),
        "fig_members": ("members", "membres", "miembros", "membros", "عضوًا"),
        "fig_matched": (
            "of the {n} members seeking a mentor get one",
            "des {n} membres qui cherchent un mentor en obtiennent un",
            "de los {n} miembros que buscan mentor lo obtienen",
            "dos {n} membros que procuram mentor conseguem um",
            "من أصل {n} عضوًا يبحثون عن مرشد يحصلون على مرشد",
        ),
        "fig_pairs": (
            "mentor pairs proposed",
            "binômes de mentorat proposés",
            "parejas de mentoría propuestas",
            "pares de mentoria propostos",
            "ثنائيًا إرشاديًا مقترحًا",
        ),
        "fig_unserved": (
            "needs the network cannot meet from its own members",
            "besoins que le réseau ne peut pas couvrir avec ses propres membres",
            "necesidades que la red no puede cubrir con sus propios miembros",
            "necessidades que a rede não consegue atender com os seus próprios membros",
            "احتياجًا لا تستطيع الشبكة تلبيته من أعضائها",
        ),
        "fig_spof": (
            "themes and languages resting on one expert only",
            "thèmes et langues qui reposent sur un seul expert",
            "temas e idiomas que dependen de un solo experto",
            "temas e línguas que dependem de um só especialista",
            "موضوعًا ولغةً تعتمد على خبير واحد فقط",
        ),
        "fig_south": (
            "of Southern needs could be met by a Southern expert",
            "des besoins du Sud pourraient être couverts par un expert du Sud",
            "de las necesidades del Sur podrían cubrirse con un experto del Sur",
            "das necessidades do Sul poderiam ser atendidas por um especialista do Sul",
            "من احتياجات الجنوب يمكن أن يلبّيها خبير من الجنوب",
        ),
        "fig_circles": (
            "learning circles",
            "cercles d'apprentissage",
            "círculos de aprendizaje",
            "círculos de aprendizagem",
            "حلقة تعلّم",
        ),
        "fig_exchanges": (
            "reciprocal exchanges",
            "échanges réciproques",
            "intercambios recíprocos",
            "trocas recíprocas",
            "تبادلًا في الاتجاهين",
        ),
        "map_title": (
            "Capacity map: strengths and gaps",
            "Carte des capacités : forces et lacunes",
            "Mapa de capacidades: fortalezas y carencias",
            "Mapa de capacidades: pontos fortes e lacunas",
            "خريطة القدرات: مواطن القوة والثغرات",
        ),
        "map_intro": (
            "Each row is a theme members need, each column a region. In each cell: experts / "
            "members in need. Blue: more experts than needs; red: more needs than experts. The "
            "bars count the members in need whom no expert sharing their language could take, "
            "even if every expert gave that theme all its time.",
            "Chaque ligne est un thème dont des membres ont besoin, chaque colonne une région. "
            "Dans chaque case : experts / membres en demande. Bleu : plus d'experts que de "
            "besoins ; rouge : plus de besoins que d'experts. Les barres comptent les membres en "
            "demande qu'aucun expert parlant leur langue ne pourrait prendre, même si chaque "
            "expert consacrait tout son temps à ce thème.",
            "Cada fila es un tema que necesitan los miembros y cada columna una región. En cada "
            "celda: expertos / miembros con necesidad. Azul: más expertos que necesidades; rojo: "
            "más necesidades que expertos. Las barras cuentan los miembros con necesidad que "
            "ningún experto que hable su idioma podría atender, aunque cada experto dedicara "
            "todo su tiempo a ese tema.",
            "Cada linha é um tema de que os membros precisam e cada coluna uma região. Em cada "
            "célula: especialistas / membros com necessidade. Azul: mais especialistas do que "
            "necessidades; vermelho: mais necessidades do que especialistas. As barras contam os "
            "membros com necessidade que nenhum especialista que fale a sua língua poderia "
            "atender, mesmo que cada especialista dedicasse todo o seu tempo a esse tema.",
            "كل صف موضوع يحتاجه الأعضاء وكل عمود منطقة. في كل خانة: الخبراء / الأعضاء "
            "المحتاجون. الأزرق: خبراء أكثر من الاحتياجات؛ الأحمر: احتياجات أكثر من الخبراء. "
            "تَعُدّ الأشرطة الأعضاء المحتاجين الذين لا يستطيع أي خبير يتحدث لغتهم التكفّل بهم، "
            "حتى لو كرّس كل خبير كامل وقته لهذا الموضوع.",
        ),
        "unmet_note": (
            "members: those with no expert in any of their languages, or those in need beyond "
            "the experts' capacity in the language (an estimate: members and experts may use "
            "several languages); the exact count per theme is the bar beside the heatmap",
            "membres : ceux qui n'ont d'expert dans aucune de leurs langues, ou ceux en demande "
            "au-delà de la capacité des experts dans la langue (estimation : membres et experts "
            "peuvent travailler en plusieurs langues) ; le nombre exact par thème est la barre "
            "à côté de la carte de chaleur",
            "miembros: los que no tienen experto en ninguno de sus idiomas, o los que superan la "
            "capacidad de los expertos en el idioma (estimación: miembros y expertos pueden usar "
            "varios idiomas); la cifra exacta por tema es la barra junto al mapa de calor",
            "membros: os que não têm especialista em nenhum dos seus idiomas, ou os que excedem a "
            "capacidade dos especialistas no idioma (estimativa: membros e especialistas podem "
            "usar vários idiomas); o número exato por tema é a barra ao lado do mapa de calor",
            "الأعضاء: من لا يوجد خبير يتحدث أيًا من لغاتهم، أو من يتجاوزون قدرة الخبراء في "
            "اللغة (تقدير: قد يعمل الأعضاء والخبراء بعدة لغات)؛ العدد الدقيق لكل موضوع هو "
            "الشريط بجانب الخريطة الحرارية",
        ),
        "balance": (
            "experts − members in need",
            "experts − membres en demande",
            "expertos − miembros con necesidad",
            "especialistas − membros com necessidade",
            "الخبراء − الأعضاء المحتاجون",
        ),
        "heatmap_alt": (
            "Heatmap of experts and members in need by theme and region",
            "Carte de chaleur des experts et des membres en demande par thème et par région",
            "Mapa de calor de expertos y miembros con necesidad por tema y región",
            "Mapa de calor de especialistas e membros com necessidade por tema e região",
            "خريطة حرارية للخبراء والأعضاء المحتاجين حسب الموضوع والمنطقة",
        ),
        "round_title": (
            "Mentoring round: proposed pairs",
            "Cycle de mentorat : binômes proposés",
            "Ronda de mentoría: parejas propuestas",
            "Rodada de mentoria: pares propostos",
            "جولة الإرشاد: الثنائيات المقترحة",
        ),
        "round_intro": (
            "Each pair joins a member with a mentor who is stronger on one of its needs and "
            "shares a working language with it. The score adds up what the mentor can teach on "
            "each theme (one point = an urgent need met by someone who can train others) and "
            "small bonuses, for South–South pairs for instance; the reasons listed add up to it.",
            "Chaque binôme associe un membre à un mentor plus fort que lui sur l'un de ses "
            "besoins et qui partage avec lui une langue de travail. Le score additionne ce que "
            "le mentor peut apporter sur chaque thème (un point = un besoin urgent couvert par "
            "quelqu'un qui peut former d'autres membres) et de petits bonus, par exemple pour "
            "les binômes Sud–Sud ; les raisons indiquées en font la somme.",
            "Cada pareja une a un miembro con un mentor más fuerte en una de sus necesidades y "
            "que comparte con él un idioma de trabajo. La puntuación suma lo que el mentor puede "
            "enseñar en cada tema (un punto = una necesidad urgente cubierta por alguien capaz "
            "de formar a otros) y pequeñas bonificaciones, por ejemplo para las parejas "
            "Sur–Sur; los motivos indicados suman esa puntuación.",
            "Cada par une um membro a um mentor mais forte numa das suas necessidades e que "
            "partilha com ele uma língua de trabalho. A pontuação soma o que o mentor pode "
            "ensinar em cada tema (um ponto = uma necessidade urgente atendida por alguém capaz "
            "de formar outros) e pequenos bónus, por exemplo para pares Sul–Sul; os motivos "
            "indicados somam essa pontuação.",
            "يجمع كل ثنائي بين عضو ومرشد أقوى منه في أحد احتياجاته ويتحدث معه لغة عمل مشتركة. "
            "تجمع النقاط ما يستطيع المرشد تقديمه في كل موضوع (نقطة واحدة = احتياج عاجل يلبّيه "
            "من يستطيع تدريب الآخرين) ومكافآت صغيرة، مثل مكافأة ثنائيات جنوب–جنوب؛ ومجموع "
            "الأسباب المذكورة يساوي النقاط.",
        ),
        "round_summary": (
            "{matched} of the {wanting} members seeking a mentor get one, in {pairs} pairs. "
            "Total score {total} ({proof}).",
            "{matched} des {wanting} membres qui cherchent un mentor en obtiennent un, en "
            "{pairs} binômes. Score total {total} ({proof}).",
            "{matched} de los {wanting} miembros que buscan mentor lo obtienen, en {pairs} "
            "parejas. Puntuación total {total} ({proof}).",
            "{matched} dos {wanting} membros que procuram mentor conseguem um, em {pairs} pares. "
            "Pontuação total {total} ({proof}).",
            "يحصل {matched} من أصل {wanting} عضوًا يبحثون عن مرشد على مرشد، في {pairs} "
            "ثنائيًا. مجموع النقاط {total} ({proof}).",
        ),
        "proven": (
            "proven the best possible",
            "meilleur résultat possible, prouvé",
            "el mejor posible, demostrado",
            "o melhor possível, comprovado",
            "ثبت أنه الأفضل الممكن",
        ),
        "not_proven": (
            "not proven the best possible",
            "optimalité non prouvée",
            "optimalidad no demostrada",
            "otimalidade não comprovada",
            "لم يثبت أنه الأفضل الممكن",
        ),
        "round_alt": (
            "Members seeking a mentor, and pairs by direction",
            "Membres qui cherchent un mentor, et binômes par sens",
            "Miembros que buscan mentor y parejas por dirección",
            "Membros que procuram mentor e pares por direção",
            "الأعضاء الباحثون عن مرشد، والثنائيات حسب الاتجاه",
        ),
        "seeking": (
            "Members seeking a mentor",
            "Membres qui cherchent un mentor",
            "Miembros que buscan mentor",
            "Membros que procuram mentor",
            "الأعضاء الباحثون عن مرشد",
        ),
        "paired": ("paired", "en binôme", "con pareja", "com par", "لديهم مرشد"),
        "short_no_shared_language": (
            "no shared language",
            "aucune langue commune",
            "ningún idioma común",
            "nenhuma língua comum",
            "لا لغة مشتركة",
        ),
        "short_no_stronger_mentor": (
            "no stronger mentor",
            "aucun mentor plus fort",
            "ningún mentor más fuerte",
            "nenhum mentor mais forte",
            "لا مرشد أقوى",
        ),
        "short_all_excluded": (
            "all excluded",
            "tous exclus",
            "todos excluidos",
            "todos excluídos",
            "الجميع مستبعدون",
        ),
        "short_capacity": (
            "mentors full",
            "mentors complets",
            "mentores completos",
            "mentores sem vagas",
            "المرشدون بلا أماكن",
        ),
        "directions": (
            "Pairs by direction (mentor → mentee)",
            "Binômes par sens (mentor → mentoré)",
            "Parejas por dirección (mentor → mentoreado)",
            "Pares por direção (mentor → mentorado)",
            "الثنائيات حسب الاتجاه (المرشد ← المسترشد)",
        ),
        "south_south": ("South → South", "Sud → Sud", "Sur → Sur", "Sul → Sul", "جنوب ← جنوب"),
        "north_south": (
            "North → South",
            "Nord → Sud",
            "Norte → Sur",
            "Norte → Sul",
            "شمال ← جنوب",
        ),
        "south_north": (
            "South → North",
            "Sud → Nord",
            "Sur → Norte",
            "Sul → Norte",
            "جنوب ← شمال",
        ),
        "north_north": (
            "North → North",
            "Nord → Nord",
            "Norte → Norte",
            "Norte → Norte",
            "شمال ← شمال",
        ),
        "mentee": ("mentee", "mentoré", "mentoreado", "mentorado", "المسترشد"),
        "mentor": ("mentor", "mentor", "mentor", "mentor", "المرشد"),
        "score": ("score", "score", "puntuación", "pontuação", "النقاط"),
        "languages": ("language", "langue", "idioma", "língua", "اللغة"),
        "why": (
            "why (largest first)",
            "pourquoi (du plus au moins)",
            "por qué (de mayor a menor)",
            "porquê (do maior para o menor)",
            "السبب (من الأكبر إلى الأصغر)",
        ),
        "reason_south_south": (
            "South–South bonus",
            "bonus Sud–Sud",
            "bonificación Sur–Sur",
            "bónus Sul–Sul",
            "مكافأة جنوب–جنوب",
        ),
        "reason_north_south": (
            "North→South bonus",
            "bonus Nord→Sud",
            "bonificación Norte→Sur",
            "bónus Norte→Sul",
            "مكافأة شمال←جنوب",
        ),
        "reason_same_region": (
            "same region",
            "même région",
            "misma región",
            "mesma região",
            "نفس المنطقة",
        ),
        "reason_history": (
            "already paired before",
            "déjà en binôme auparavant",
            "ya emparejados antes",
            "já formaram par antes",
            "سبق أن شكّلا ثنائيًا",
        ),
        "reason_text": (
            "similar descriptions",
            "descriptions proches",
            "descripciones parecidas",
            "descrições semelhantes",
            "وصفان متقاربان",
        ),
        "more_reasons": ("… {n} more", "… {n} de plus", "… {n} más", "… mais {n}", "… و{n} غيرها"),
        "listed": (
            "The first {shown} of {total}; all of them: {command}",
            "Les {shown} premiers sur {total} ; tous : {command}",
            "Los {shown} primeros de {total}; todos: {command}",
            "Os {shown} primeiros de {total}; todos: {command}",
            "أول {shown} من أصل {total}؛ جميعها: {command}",
        ),
        "unmatched_title": (
            "Left without a mentor",
            "Restés sans mentor",
            "Sin mentor",
            "Sem mentor",
            "بقوا بلا مرشد",
        ),
        "member": ("member", "membre", "miembro", "membro", "العضو"),
        "name": ("name", "nom", "nombre", "nome", "الاسم"),
        "why_unmatched": ("why", "pourquoi", "por qué", "porquê", "السبب"),
        "no_shared_language": (
            "no mentor speaks one of its working languages ({detail})",
            "aucun mentor ne parle l'une de ses langues de travail ({detail})",
            "ningún mentor habla alguno de sus idiomas de trabajo ({detail})",
            "nenhum mentor fala alguma das suas línguas de trabalho ({detail})",
            "لا يتحدث أي مرشد إحدى لغات عمله ({detail})",
        ),
        "no_stronger_mentor": (
            "no mentor sharing a language is stronger on its needs ({detail})",
            "aucun mentor partageant une langue n'est plus fort que lui sur ses besoins ({detail})",
            "ningún mentor que comparta un idioma es más fuerte en sus necesidades ({detail})",
            "nenhum mentor que partilhe uma língua é mais forte nas suas necessidades ({detail})",
            "لا يوجد مرشد يشاركه لغة ويكون أقوى منه في احتياجاته ({detail})",
        ),
        "all_excluded": (
            "every mentor who could help is excluded for this member",
            "tous les mentors qui pourraient l'aider sont exclus pour ce membre",
            "todos los mentores que podrían ayudarle están excluidos para este miembro",
            "todos os mentores que poderiam ajudar estão excluídos para este membro",
            "جميع المرشدين القادرين على مساعدته مستبعدون بالنسبة لهذا العضو",
        ),
        "capacity": (
            "every mentor who could help is already at full capacity",
            "tous les mentors qui pourraient l'aider sont déjà à pleine capacité",
            "todos los mentores que podrían ayudarle ya están al máximo de su capacidad",
            "todos os mentores que poderiam ajudar já estão com a capacidade esgotada",
            "جميع المرشدين القادرين على مساعدته بلغوا أقصى طاقتهم",
        ),
        "circles_title": (
            "Learning circles",
            "Cercles d'apprentissage",
            "Círculos de aprendizaje",
            "Círculos de aprendizagem",
            "حلقات التعلّم",
        ),
        "circles_intro": (
            "Groups of {low} to {high} members who learn one theme together in one shared "
            "language, each around at least one anchor who knows the theme well, on the themes "
            "with the most unmet demand: {themes}.",
            "Des groupes de {low} à {high} membres qui apprennent ensemble un thème dans une "
            "langue commune, chacun autour d'au moins un membre référent qui connaît bien le "
            "thème, sur les thèmes où la demande non couverte est la plus forte : {themes}.",
            "Grupos de {low} a {high} miembros que aprenden juntos un tema en un idioma común, "
            "cada uno en torno a al menos un referente que conoce bien el tema, sobre los temas "
            "con más demanda no cubierta: {themes}.",
            "Grupos de {low} a {high} membros que aprendem juntos um tema numa língua comum, "
            "cada um em torno de pelo menos um membro de referência que conhece bem o tema, nos "
            "temas com mais procura não atendida: {themes}.",
            "مجموعات من {low} إلى {high} أعضاء يتعلّمون معًا موضوعًا واحدًا بلغة مشتركة، تلتفّ "
            "كل منها حول عضو مرجعي واحد على الأقل يُتقن الموضوع، في الموضوعات الأكثر طلبًا غير "
            "مُلبّى: {themes}.",
        ),
        "circles_summary": (
            "{circles} circles cover {covered} need levels out of at most {bound} possible "
            "(gap {gap}); {left} needs on these themes stay without a circle.",
            "{circles} cercles couvrent {covered} niveaux de besoin sur au plus {bound} "
            "possibles (écart {gap}) ; {left} besoins sur ces thèmes restent sans cercle.",
            "{circles} círculos cubren {covered} niveles de necesidad de un máximo posible de "
            "{bound} (brecha {gap}); {left} necesidades en estos temas quedan sin círculo.",
            "{circles} círculos cobrem {covered} níveis de necessidade de um máximo possível de "
            "{bound} (diferença {gap}); {left} necessidades nestes temas ficam sem círculo.",
            "تغطي {circles} حلقة {covered} من مستويات الاحتياج من أصل {bound} كحدٍّ أقصى ممكن "
            "(الفجوة {gap})؛ ويبقى {left} احتياجًا في هذه الموضوعات بلا حلقة.",
        ),
        "anchors": ("anchors", "référents", "referentes", "referências", "المرجعيون"),
        "learners": ("learners", "apprenants", "aprendices", "aprendentes", "المتعلّمون"),
        "need_covered": (
            "need covered",
            "besoin couvert",
            "necesidad cubierta",
            "necessidade coberta",
            "الاحتياج المُلبّى",
        ),
        "graph_title": (
            "Who can help whom",
            "Qui peut aider qui",
            "Quién puede ayudar a quién",
            "Quem pode ajudar quem",
            "من يستطيع مساعدة من",
        ),
        "graph_intro": (
            "Each dot is a member; a thin grey line joins two members when one could mentor the "
            "other. Colours show the theme of the learning circle a member joins, thick lines "
            "the reciprocal exchanges where each side teaches the other, and names the brokers "
            "who link groups that would otherwise stay apart. The bigger the dot, the more "
            "members it can help.",
            "Chaque point est un membre ; un trait gris fin relie deux membres quand l'un "
            "pourrait être le mentor de l'autre. Les couleurs indiquent le thème du cercle "
            "d'apprentissage d'un membre, les traits épais les échanges réciproques où chacun "
            "apprend quelque chose à l'autre, et les noms les passeurs qui relient des groupes "
            "autrement séparés. Plus le point est gros, plus le membre peut aider de membres.",
            "Cada punto es un miembro; una línea gris fina une a dos miembros cuando uno podría "
            "ser mentor del otro. Los colores muestran el tema del círculo de aprendizaje de "
            "cada miembro, las líneas gruesas los intercambios recíprocos en los que cada lado "
            "enseña algo al otro, y los nombres los intermediarios que conectan grupos que de "
            "otro modo quedarían separados. Cuanto más grande el punto, a más miembros puede "
            "ayudar.",
            "Cada ponto é um membro; uma linha cinzenta fina liga dois membros quando um poderia "
            "ser mentor do outro. As cores mostram o tema do círculo de aprendizagem de cada "
            "membro, as linhas grossas as trocas recíprocas em que cada lado ensina algo ao "
            "outro, e os nomes os intermediários que ligam grupos que de outra forma ficariam "
            "separados. Quanto maior o ponto, mais membros pode ajudar.",
            "كل نقطة عضو؛ ويربط خط رمادي رفيع بين عضوين حين يستطيع أحدهما إرشاد الآخر. تُبيّن "
            "الألوان موضوع حلقة التعلّم التي ينضم إليها العضو، والخطوط السميكة التبادلات "
            "المتبادلة التي يعلّم فيها كل طرف الآخر شيئًا، والأسماءُ الوسطاءَ الذين يربطون "
            "مجموعات كانت ستبقى منفصلة. كلما كبرت النقطة زاد عدد الأعضاء الذين يستطيع مساعدتهم.",
        ),
        "graph_alt": (
            "The help graph with learning circles, exchanges and brokers",
            "Le graphe d'entraide avec les cercles, les échanges et les passeurs",
            "El grafo de ayuda con los círculos, los intercambios y los intermediarios",
            "O grafo de ajuda com os círculos, as trocas e os intermediários",
            "شبكة المساعدة مع حلقات التعلّم والتبادلات والوسطاء",
        ),
        "graph_subset": (
            "Showing the {shown} best-connected of the {total} members.",
            "Sont affichés les {shown} membres les mieux connectés sur {total}.",
            "Se muestran los {shown} miembros mejor conectados de {total}.",
            "Mostram-se os {shown} membros mais ligados de {total}.",
            "يُعرض {shown} من أكثر الأعضاء ارتباطًا من أصل {total}.",
        ),
        "exchange": ("exchange", "échange", "intercambio", "troca", "تبادل"),
        "circle_colour": (
            "circle theme (a member of two circles: its first)",
            "thème du cercle (membre de deux cercles : le premier)",
            "tema del círculo (miembro de dos círculos: el primero)",
            "tema do círculo (membro de dois círculos: o primeiro)",
            "موضوع الحلقة (للعضو في حلقتين: الأولى)",
        ),
        "no_circle": ("no circle", "sans cercle", "sin círculo", "sem círculo", "بلا حلقة"),
        "exchanges_title": (
            "Reciprocal exchanges",
            "Échanges réciproques",
            "Intercambios recíprocos",
            "Trocas recíprocas",
            "التبادلات المتبادلة",
        ),
        "exchanges_summary": (
            "{pairs} exchanges involve {members} of the {eligible} members who have a "
            "reciprocal partner ({proof}).",
            "{pairs} échanges concernent {members} des {eligible} membres qui ont un partenaire "
            "réciproque ({proof}).",
            "{pairs} intercambios reúnen a {members} de los {eligible} miembros que tienen una "
            "contraparte recíproca ({proof}).",
            "{pairs} trocas envolvem {members} dos {eligible} membros que têm um parceiro "
            "recíproco ({proof}).",
            "تشمل {pairs} تبادلًا {members} من أصل {eligible} عضوًا لديهم شريك متبادل ({proof}).",
        ),
        "member_a": ("member A", "membre A", "miembro A", "membro A", "العضو أ"),
        "member_b": ("member B", "membre B", "miembro B", "membro B", "العضو ب"),
        "a_teaches_b": (
            "A teaches B",
            "A apprend à B",
            "A enseña a B",
            "A ensina B",
            "أ يعلّم ب",
        ),
        "b_teaches_a": (
            "B teaches A",
            "B apprend à A",
            "B enseña a A",
            "B ensina A",
            "ب يعلّم أ",
        ),
        "footer": (
            "Made by peermatch from the network document with SHA-256 {sha} (taxonomy "
            "{version}). The same numbers come from: {commands}.",
            "Produit par peermatch à partir du document réseau d'empreinte SHA-256 {sha} "
            "(taxonomie {version}). Les mêmes chiffres sont donnés par : {commands}.",
            "Generado por peermatch a partir del documento de red con SHA-256 {sha} (taxonomía "
            "{version}). Las mismas cifras se obtienen con: {commands}.",
            "Gerado pelo peermatch a partir do documento de rede com SHA-256 {sha} (taxonomia "
            "{version}). Os mesmos números saem de: {commands}.",
            "أُعدّ بواسطة peermatch انطلاقًا من وثيقة الشبكة ذات البصمة SHA-256 {sha} "
            "(التصنيف {version}). وتعطي الأوامر التالية الأرقام نفسها: {commands}.",
        ),
    }
)
"""Every string of the report that is not a theme, region or capacity-map
label (those come from the taxonomy, ``matcher.geo`` and ``map_presenter``)."""


def reasons_text(
    reasons: tuple[Reason, ...], taxonomy: Taxonomy, lang: str = "en", *, most: int = 3
) -> str:
    """The first ``most`` reasons of a score as one line, labels in ``lang``."""
    parts = []
    for r in reasons[:most]:
        label = taxonomy.label(r.key, lang) if r.kind == "theme" else TEXT[f"reason_{r.kind}"][lang]
        parts.append(f"{label} {number(r.contribution, '+.2f', lang)}")
    if len(reasons) > most:
        parts.append(TEXT["more_reasons"][lang].format(n=len(reasons) - most))
    return join_list(parts, lang, semicolon=True)


def number(value: float, spec: str, lang: str) -> str:
    """``value`` formatted with ``spec`` as ``lang`` writes numbers: a decimal
    comma in French, Spanish and Portuguese, and the space French and Spanish
    put before ``%`` (no-break, so the sign stays with its number)."""
    text = format(value, spec)
    if lang in DECIMAL_COMMA:
        text = text.replace(".", ",")
    if text.endswith("%") and lang in PERCENT_SPACE:
        text = text[:-1] + PERCENT_SPACE[lang] + "%"
    return text


def join_list(items: Iterable[str], lang: str, *, semicolon: bool = False) -> str:
    """Items as one list in ``lang``'s punctuation (Arabic has its own comma
    and semicolon)."""
    if lang == "ar":
        return ("؛ " if semicolon else "، ").join(items)
    return ("; " if semicolon else ", ").join(items)


def unmatched_reason(code: str, member, taxonomy: Taxonomy, lang: str) -> str:
    """Why ``member`` got no mentor (an ``Unmatched.code``), in ``lang``, with
    its languages or the labels of its needs where they explain it."""
    if code == "no_shared_language":
        detail = join_list(member.languages, lang)
    elif code == "no_stronger_mentor":
        detail = join_list(
            (taxonomy.label(k, lang) for k in taxonomy.keys if member.needs.get(k, 0) > 0), lang
        )
    else:
        detail = ""
    return TEXT[code][lang].format(detail=detail)
