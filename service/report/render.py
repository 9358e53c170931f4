"""The visual report: one self-contained HTML page for the secretariat.

:func:`analyse` runs the same public ``matcher`` functions, with the same
defaults, as ``peermatch map``, ``match``, ``circles`` and ``exchanges``, so
every number in the report is the one those commands print.
:func:`render_report` turns the result into HTML in one of the five label
languages, figures embedded as PNG (``data:`` URLs, nothing fetched from
elsewhere). Same network and language → same bytes: figures are drawn with
Agg, fixed layout seeds and no PNG metadata, and nothing depends on the clock
or the input's file name.

The figure functions (:func:`capacity_heatmap`, :func:`round_figure`,
:func:`help_graph_figure`), :func:`html_table`, :func:`reasons_text` and
:func:`unmatched_reason` are public so the notebooks show the same pictures
and words as the report.
"""

from __future__ import annotations

import base64
import io
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

import networkx as nx
import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from matcher import (
    CapacityMap,
    CirclesResult,
    ExchangeResult,
    Network,
    NetworkArrays,
    Reason,
    RoundResult,
    Taxonomy,
    capacity_map,
    exchange_pairs,
    form_circles,
    help_graph,
    mentoring_round,
    network_arrays,
)
from matcher.taxonomy import LABEL_LANGUAGES
from service.contract import input_sha256
from service.documents.capacity_map import GROUP_LABELS, HEADINGS, labels_by_language
from service.safe_text import escape_controls

RTL_LANGUAGES = frozenset({"ar"})
DECIMAL_COMMA = frozenset({"fr", "es", "pt"})
PERCENT_SPACE = {"fr": "\u202f", "es": "\u00a0"}
"""The no-break space before ``%``: narrow in French typography."""
TABLE_ROWS = 10
"""Rows of the unmet-needs and single-points-of-failure tables (the map keeps
only a few brokers: their table lists them all)."""
LISTED = 200
"""Most pairs, circles and exchanges listed; the CLI's JSON has them all."""
GRAPH_NODES = 300
"""Most members drawn in the help graph (the best connected); beyond a few
hundred dots it is a grey blot."""
LAYOUT_SEED = 2026
DPI = 110
LABEL_CHARS = 46
"""Theme labels longer than this are shortened on figure axes (tables keep them whole)."""
LAYOUT_MENTORS = 3
CIRCLE_PULL = 1.0
EXCHANGE_PULL = 1.0
HUB_PULL = 0.2
"""Layout weights of the ties between members (a help edge that shapes the
layout weighs 1)."""
BROKERS_NAMED = 6
"""Brokers named on the help graph (the table lists them all)."""
LABEL_OFFSETS = tuple(
    (dx, sign * dy) for dy in (12, 26, 40, 54) for dx in (0, 40, -40) for sign in (1, -1)
)
"""Where a broker's name may go, in points from its dot, tried in order:
above, below, then further out and sideways."""
DIRECTIONS = ("south_south", "north_south", "south_north", "north_north")
"""Pairs by (mentor side, mentee side), the way the policy knob thinks of them."""
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


@dataclass(frozen=True)
class Analysis:
    """Everything the report shows, computed once."""

    network: Network
    taxonomy: Taxonomy
    arrays: NetworkArrays
    graph: nx.DiGraph
    capacity: CapacityMap
    round: RoundResult
    circles: CirclesResult
    exchanges: ExchangeResult


def analyse(
    network: Network, *, taxonomy: Taxonomy, progress: Callable[[str], None] | None = None
) -> Analysis:
    """Run the engine as the CLI commands do, with their defaults: the
    capacity map by region, a welfare round with the default policy and no
    seed, circles on the default themes, exchanges without ``-k``.
    ``progress`` is told the name of each step before it starts."""
    say = progress or (lambda _step: None)
    arrays = network_arrays(network, taxonomy)
    say("help graph")
    # An empty network has no help graph to build (the scorer needs members).
    graph = help_graph(arrays) if arrays.n else nx.DiGraph()
    say("capacity map")
    # The map would build the same help graph again for its brokers.
    cmap = capacity_map(arrays, by="region", graph=graph)
    say("mentoring round")
    result = mentoring_round(network, taxonomy=taxonomy, arrays=arrays)
    say("learning circles")
    circles = form_circles(arrays)
    say("reciprocal exchanges")
    exchanges = exchange_pairs(arrays)
    return Analysis(network, taxonomy, arrays, graph, cmap, result, circles, exchanges)


# --------------------------------------------------------------------- figures


def _shorten(text: str) -> str:
    return textwrap.shorten(text, LABEL_CHARS, placeholder="…")


def figure_png(figure: Figure) -> bytes:
    """The figure as PNG bytes, without the metadata (software version) that
    would make the same picture differ between installs."""
    buffer = io.BytesIO()
    # Agg attached to this figure only: pyplot's global backend stays as it is
    # (inline in a notebook), and nothing needs a display.
    FigureCanvasAgg(figure)
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def heatmap_rows(cmap: CapacityMap) -> list[str]:
    """Themes shown in the heatmap: those members need, most members in need
    first (the order of ``peermatch map``'s table)."""
    wanted = sorted(
        (row for row in cmap.themes if row.demand_members),
        key=lambda r: (-r.demand_members, -r.unserved, r.theme),
    )
    return [row.theme for row in wanted]


def capacity_heatmap(cmap: CapacityMap, taxonomy: Taxonomy, *, lang: str = "en") -> Figure:
    """Themes × groups of the map (regions with ``by="region"``): experts /
    members in need in each cell, coloured by their difference, and the
    unserved members of each theme as bars beside it. Mirrored for
    right-to-left languages."""
    rtl = lang in RTL_LANGUAGES
    themes = heatmap_rows(cmap)
    rows = [cmap.theme(key) for key in themes]
    groups = list(cmap.groups)
    supply = np.array([[g.supply_members for g in row.by_group] for row in rows], dtype=int)
    demand = np.array([[g.demand_members for g in row.by_group] for row in rows], dtype=int)
    if rtl:  # read from the right: first group in the rightmost column
        groups, supply, demand = groups[::-1], supply[:, ::-1], demand[:, ::-1]
    balance = supply - demand
    extent = max(1, int(np.abs(balance).max(initial=0)))

    figure = Figure(figsize=(10.5, 1.6 + 0.32 * max(1, len(rows))), layout="constrained")
    heat_col, bar_col = (1, 0) if rtl else (0, 1)
    grid = figure.add_gridspec(1, 2, width_ratios=[5, 1] if not rtl else [1, 5])
    heat = figure.add_subplot(grid[0, heat_col])
    bars = figure.add_subplot(grid[0, bar_col], sharey=heat)
    image = heat.imshow(balance, cmap="RdBu", vmin=-extent, vmax=extent, aspect="auto")
    for (r, c), value in np.ndenumerate(balance):
        if supply[r, c] or demand[r, c]:
            strong = abs(value) > extent * 0.6
            heat.text(
                c,
                r,
                f"{supply[r, c]}/{demand[r, c]}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if strong else "black",
            )
    heat.set_xticks(range(len(groups)))
    heat.set_xticklabels([textwrap.fill(GROUP_LABELS[g][lang], 16) for g in groups], fontsize=8)
    heat.xaxis.tick_top()
    heat.set_yticks(range(len(rows)))
    heat.set_yticklabels([_shorten(taxonomy.label(k, lang)) for k in themes], fontsize=8)
    if rtl:
        heat.yaxis.tick_right()
    heat.tick_params(length=0)
    colorbar = figure.colorbar(image, ax=heat, location="bottom", shrink=0.5, aspect=40)
    colorbar.set_label(TEXT["balance"][lang], fontsize=8)
    colorbar.ax.tick_params(labelsize=7)

    unserved = [row.unserved for row in rows]
    bars.barh(range(len(rows)), unserved, color="#b2182b")
    for r, value in enumerate(unserved):
        if value:
            bars.text(value, r, f" {value}", va="center", ha="left", fontsize=8)
    bars.set_xlim(0, max(1, max(unserved, default=0)) * 1.35)
    if rtl:
        bars.invert_xaxis()
        for text in bars.texts:
            text.set_horizontalalignment("right")
    bars.xaxis.tick_top()
    bars.set_title(HEADINGS["unserved"][lang], fontsize=9)
    bars.tick_params(left=False, right=False, labelleft=False, labelright=False, labelsize=7)
    for side in ("top", "right", "bottom", "left"):
        bars.spines[side].set_visible(False)
    return figure


def pair_directions(result: RoundResult, network: Network) -> dict[str, int]:
    """Pairs of a round by direction, mentor side → mentee side
    (``south_south``, ``north_south``, ``south_north``, ``north_north``)."""
    south = {m.id: m.global_south for m in network.members}
    counts = Counter(
        f"{'south' if south[p.mentor] else 'north'}_{'south' if south[p.mentee] else 'north'}"
        for p in result.pairs
    )
    return {d: counts[d] for d in DIRECTIONS}


def round_figure(result: RoundResult, network: Network, *, lang: str = "en") -> Figure:
    """Two bar charts: who among the members seeking a mentor got one (and
    why not), and the round's pairs by North/South direction."""
    rtl = lang in RTL_LANGUAGES
    why = Counter(u.code for u in result.unmatched)
    seeking = [("paired", result.mentees_matched, "#2166ac")] + [
        (f"short_{code}", why[code], "#b2182b") for code in UNMATCHED_CODES if why[code]
    ]
    directions = pair_directions(result, network)
    figure = Figure(figsize=(10.5, 2.6), layout="constrained")
    axes = figure.subplots(1, 2)[:: -1 if rtl else 1]
    panels = [
        (axes[0], TEXT["seeking"][lang], seeking),
        (
            axes[1],
            TEXT["directions"][lang],
            [
                (d, directions[d], "#4d9221" if d == "south_south" else "#7f7f7f")
                for d in DIRECTIONS
            ],
        ),
    ]
    for ax, title, bars in panels:
        values = [count for _, count, _ in bars]
        ax.barh(range(len(bars)), values, color=[colour for _, _, colour in bars])
        ax.set_yticks(range(len(bars)))
        ax.set_yticklabels([TEXT[key][lang] for key, _, _ in bars], fontsize=9)
        ax.invert_yaxis()
        top = max(1, max(values, default=0))
        ax.set_xlim(0, top * 1.2)
        for r, value in enumerate(values):
            ax.text(value, r, f" {value} ", va="center", ha="right" if rtl else "left", fontsize=9)
        if rtl:
            ax.invert_xaxis()
            ax.yaxis.tick_right()
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
        ax.tick_params(axis="y", length=0)
        for side in ("top", "right") if not rtl else ("top", "left"):
            ax.spines[side].set_visible(False)
    return figure


def circle_colours(circles: CirclesResult) -> dict[str, tuple[float, float, float, float]]:
    """A colour per circle theme (tab10 minus its grey), in the order of ``circles.themes``."""
    palette = [colormaps["tab10"](k) for k in range(10) if k != 7]
    return {t: palette[k % len(palette)] for k, t in enumerate(circles.themes)}


def graph_layout(
    graph: nx.DiGraph, *, circles: CirclesResult, exchanges: ExchangeResult
) -> dict[str, np.ndarray]:
    """Positions of the members of ``graph``: a seeded spring layout pulled by
    each member's :data:`LAYOUT_MENTORS` best mentors, by the members of its
    circles and by its exchange partner. Every help edge would pull the
    whole network into one blot; the best few keep who-helps-whom readable."""
    pull = nx.Graph()
    pull.add_nodes_from(graph.nodes)

    def tie(a: str, b: str, weight: float) -> None:
        if a in pull and b in pull:
            pull.add_edge(a, b, weight=pull.get_edge_data(a, b, {"weight": 0.0})["weight"] + weight)

    for mentee in graph.nodes:
        best = sorted(graph.in_edges(mentee, data="weight"), key=lambda e: (-e[2], e[0]))
        for mentor, _, _ in best[:LAYOUT_MENTORS]:
            tie(mentor, mentee, 1.0)
    for circle in circles.circles:
        for k, a in enumerate(circle.ids):
            for b in circle.ids[k + 1 :]:
                tie(a, b, CIRCLE_PULL)
    for e in exchanges.pairs:
        tie(e.a, e.b, EXCHANGE_PULL)
    # A weak tie of every member to a hub keeps the members nobody can help
    # (and who can help nobody) near the picture instead of at its far edges.
    hub = object()
    pull.add_edges_from(((hub, m) for m in graph.nodes), weight=HUB_PULL)
    position = nx.spring_layout(pull, weight="weight", seed=LAYOUT_SEED, iterations=300)
    del position[hub]
    return position


def help_graph_figure(
    graph: nx.DiGraph,
    *,
    circles: CirclesResult,
    exchanges: ExchangeResult,
    cmap: CapacityMap,
    taxonomy: Taxonomy,
    lang: str = "en",
) -> Figure:
    """The help graph: faint help edges, members coloured by the theme of
    their (first) learning circle, sized by how many they can help,
    exchanges as thick edges and the main brokers named. Above
    :data:`GRAPH_NODES` members only the best connected are drawn (brokers
    always); the layout is :func:`graph_layout`."""
    brokers = [b.member for b in cmap.brokers]
    nodes = list(graph.nodes)
    if len(nodes) > GRAPH_NODES:
        ranked = sorted(nodes, key=lambda m: (-graph.degree(m), m))
        keep = set(brokers) | set(ranked[: GRAPH_NODES - len(brokers)])
        nodes = [m for m in nodes if m in keep]
    shown = graph.subgraph(nodes)

    colours = circle_colours(circles)
    theme_of: dict[str, str] = {}
    for circle in circles.circles:
        for m in circle.ids:
            theme_of.setdefault(m, circle.theme)
    position = graph_layout(shown, circles=circles, exchanges=exchanges)

    figure = Figure(figsize=(10.5, 8.5), layout="constrained")
    ax = figure.add_subplot()
    ax.set_axis_off()
    nx.draw_networkx_edges(
        shown, position, ax=ax, arrows=False, edge_color="#9e9e9e", alpha=0.12, width=0.4
    )
    swaps = [(e.a, e.b) for e in exchanges.pairs if e.a in position and e.b in position]
    nx.draw_networkx_edges(
        nx.Graph(swaps), position, ax=ax, edge_color="#222222", width=2.2, alpha=0.9
    )
    grey = (0.78, 0.78, 0.78, 1.0)
    nx.draw_networkx_nodes(
        shown,
        position,
        ax=ax,
        node_color=[colours[theme_of[m]] if m in theme_of else grey for m in shown.nodes],
        node_size=[18 + 6 * shown.out_degree(m) for m in shown.nodes],
        edgecolors="white",
        linewidths=0.5,
    )
    handles = [
        Patch(color=colours[t], label=_shorten(taxonomy.label(t, lang))) for t in circles.themes
    ]
    handles += [
        Patch(color=grey, label=TEXT["no_circle"][lang]),
        Line2D([], [], color="#222222", linewidth=2.2, label=TEXT["exchange"][lang]),
    ]
    ax.legend(
        handles=handles,
        loc="upper left" if lang not in RTL_LANGUAGES else "upper right",
        bbox_to_anchor=(1.0, 1.0) if lang not in RTL_LANGUAGES else (0.0, 1.0),
        fontsize=8,
        title=TEXT["circle_colour"][lang],
        title_fontsize=8,
        frameon=False,
    )
    _name_brokers(ax, [m for m in brokers[:BROKERS_NAMED] if m in position], position)
    return figure


def _name_brokers(ax, members: Sequence[str], position: Mapping[str, np.ndarray]) -> None:
    """Label each member at the first of :data:`LABEL_OFFSETS` where its box
    overlaps no label placed before it (brokers often sit close together:
    centred labels hid one another), with a thin line back to its dot."""
    figure = ax.get_figure()
    # Agg, as figure_png draws with it: text is measured the way it is drawn.
    renderer = FigureCanvasAgg(figure).get_renderer()
    # Settle the layout first (legend included): the boxes are measured in
    # display space, which moves whenever constrained layout does.
    figure.draw_without_rendering()
    placed: list = []
    for member in members:
        label = ax.annotate(
            member,
            xy=position[member],
            xytext=LABEL_OFFSETS[0],
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#555555"},
            arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.6},
        )
        # Labels must not move the axes when the figure is saved.
        label.set_in_layout(False)
        for offset in LABEL_OFFSETS:
            label.set_position(offset)
            box = label.get_window_extent(renderer).expanded(1.05, 1.15)
            if not any(box.overlaps(other) for other in placed):
                break
        placed.append(box)


# ------------------------------------------------------------------------ HTML


def html_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    row_data: Sequence[Mapping[str, object]] | None = None,
) -> str:
    """An escaped HTML table. ``row_data`` adds ``data-*`` attributes per row
    (machine-readable keys next to the labels people read)."""
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = []
    for k, row in enumerate(rows):
        data = row_data[k] if row_data else {}
        attrs = "".join(f' data-{name}="{escape(str(value))}"' for name, value in data.items())
        cells = "".join(f"<td>{_cell(value)}</td>" for value in row)
        body.append(f"<tr{attrs}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


class _Html(str):
    """Text that is already HTML: :func:`html_table` does not escape it again."""


def _cell(value: object) -> str:
    return value if isinstance(value, _Html) else escape(escape_controls(str(value)))


def _bdi(text: str) -> _Html:
    """Ids and names isolated from the page's direction (Latin ids in Arabic text)."""
    return _Html(f"<bdi>{escape(escape_controls(text))}</bdi>")


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
    return _join(parts, lang, semicolon=True)


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


def _join(items: Iterable[str], lang: str, *, semicolon: bool = False) -> str:
    """Items as one list in ``lang``'s punctuation (Arabic has its own comma
    and semicolon)."""
    if lang == "ar":
        return ("؛ " if semicolon else "، ").join(items)
    return ("; " if semicolon else ", ").join(items)


def unmatched_reason(code: str, member, taxonomy: Taxonomy, lang: str) -> str:
    """Why ``member`` got no mentor (an ``Unmatched.code``), in ``lang``, with
    its languages or the labels of its needs where they explain it."""
    if code == "no_shared_language":
        detail = _join(member.languages, lang)
    elif code == "no_stronger_mentor":
        detail = _join(
            (taxonomy.label(k, lang) for k in taxonomy.keys if member.needs.get(k, 0) > 0), lang
        )
    else:
        detail = ""
    return TEXT[code][lang].format(detail=detail)


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}">'


def _figure_html(figure: Figure, alt: str, caption: str = "") -> str:
    caption_html = f"<figcaption>{escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{_image(figure_png(figure), alt)}{caption_html}</figure>"


def _listed_note(shown: int, total: int, command: str, lang: str) -> str:
    if total <= shown:
        return ""
    # The command goes in as <code dir="ltr"> (read left to right in Arabic
    # too) and the sentence around it is escaped: split it at a marker.
    text = TEXT["listed"][lang].format(shown=shown, total=total, command="§")
    before, after = (escape(part) for part in text.split("§"))
    return f'<p class="note">{before}<code dir="ltr">{escape(command)}</code>{after}</p>'


_STYLE = """
:root { color-scheme: light; --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; }
body { font-family: system-ui, "Segoe UI", "Noto Sans", "Noto Sans Arabic", Tahoma, sans-serif;
  color: var(--ink); max-width: 1100px; margin: 2rem auto; padding: 0 1.25rem;
  line-height: 1.5; }
h1 { font-size: 1.9rem; margin-block-end: 0.25rem; }
h2 { font-size: 1.4rem; border-block-end: 2px solid var(--line); padding-block-end: 0.25rem;
  margin-block-start: 2.5rem; }
h3 { font-size: 1.1rem; margin-block-start: 1.75rem; }
.lede { color: var(--muted); font-size: 1.1rem; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr));
  gap: 0.75rem; padding: 0; list-style: none; }
.figures li { border: 1px solid var(--line); border-radius: 8px; padding: 0.75rem 1rem; }
.figures .value { display: block; font-size: 2rem; font-weight: 700; }
.figures .label { color: var(--muted); font-size: 0.9rem; }
figure { margin: 1rem 0; }
img { max-width: 100%; height: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; margin: 0.5rem 0; }
th, td { text-align: start; padding: 0.3rem 0.5rem; border-block-end: 1px solid var(--line);
  vertical-align: top; }
th { background: #f0f4f8; }
.note, footer { color: var(--muted); font-size: 0.85rem; }
footer { margin-block-start: 3rem; border-block-start: 1px solid var(--line);
  padding-block-start: 0.75rem; }
section { break-inside: avoid-page; }
"""


def _key_figures(a: Analysis, lang: str) -> str:
    t = TEXT
    south = a.capacity.south_south
    share = "—" if south.share is None else number(south.share, ".0%", lang)
    items = [
        ("members", len(a.network.members), t["fig_members"][lang]),
        (
            "mentees_matched",
            a.round.mentees_matched,
            t["fig_matched"][lang].format(n=a.round.mentees_with_needs),
        ),
        ("pairs", len(a.round.pairs), t["fig_pairs"][lang]),
        ("unserved", sum(row.unserved for row in a.capacity.themes), t["fig_unserved"][lang]),
        (
            "single_points_of_failure",
            len(a.capacity.single_points_of_failure),
            t["fig_spof"][lang],
        ),
        ("south_south_share", share, t["fig_south"][lang]),
        ("circles", len(a.circles.circles), t["fig_circles"][lang]),
        ("exchanges", len(a.exchanges.pairs), t["fig_exchanges"][lang]),
    ]
    lis = "".join(
        f'<li data-field="{key}"><span class="value" dir="ltr">{escape(str(value))}</span>'
        f'<span class="label">{escape(label)}</span></li>'
        for key, value, label in items
    )
    return (
        f'<section id="key-figures"><h2>{escape(t["key_figures"][lang])}</h2>'
        f'<ul class="figures">{lis}</ul></section>'
    )


def _capacity_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    h = HEADINGS
    tax, cmap = a.taxonomy, a.capacity
    parts = [
        f'<section id="capacity-map"><h2>{escape(TEXT["map_title"][lang])}</h2>',
        f"<p>{escape(TEXT['map_intro'][lang])}</p>",
    ]
    if heatmap_rows(cmap):
        progress("drawing the capacity map")
        parts.append(
            _figure_html(capacity_heatmap(cmap, tax, lang=lang), TEXT["heatmap_alt"][lang])
        )
    south = cmap.south_south
    share = "—" if south.share is None else number(south.share, ".1%", lang)
    parts.append(
        f"<p>{escape(h['south_south'][lang].format(met=south.met, needs=south.needs, share=share))}"
        "</p>"
    )
    unmet = cmap.unmet[:TABLE_ROWS]
    parts.append(f"<h3>{escape(h['unmet'][lang])}</h3>")
    parts.append(
        html_table(
            [h[k][lang] for k in ("theme", "language", "why", "members", "in_need", "capacity")],
            [
                [
                    tax.label(g.theme, lang),
                    g.language,
                    h[g.code][lang],
                    g.members,
                    g.demand,
                    g.capacity,
                ]
                for g in unmet
            ],
            row_data=[
                {"theme": g.theme, "language": g.language, "code": g.code, "members": g.members}
                for g in unmet
            ],
        )
        if unmet
        else f"<p>{escape(h['none'][lang])}</p>"
    )
    parts.append(_listed_note(len(unmet), len(cmap.unmet), "peermatch map --format json", lang))
    # The CLI's note names its table's "unserved" column; here those counts
    # are the bars beside the heatmap.
    parts.append(f'<p class="note">{escape(TEXT["unmet_note"][lang])}</p>')
    spof = cmap.single_points_of_failure[:TABLE_ROWS]
    parts.append(f"<h3>{escape(h['spof'][lang])}</h3>")
    parts.append(
        html_table(
            [h[k][lang] for k in ("theme", "language", "only_expert", "dependents", "stranded")],
            [
                [tax.label(s.theme, lang), s.language, _bdi(s.expert), s.dependents, s.stranded]
                for s in spof
            ],
            row_data=[
                {
                    "theme": s.theme,
                    "language": s.language,
                    "expert": s.expert,
                    "dependents": s.dependents,
                }
                for s in spof
            ],
        )
        if spof
        else f"<p>{escape(h['none'][lang])}</p>"
    )
    parts.append(
        _listed_note(
            len(spof), len(cmap.single_points_of_failure), "peermatch map --format json", lang
        )
    )
    parts.append("</section>")
    return "".join(parts)


def _round_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    t, tax, result = TEXT, a.taxonomy, a.round
    names = {m.id: m.name for m in a.network.members}
    proof = t["proven" if result.optimal else "not_proven"][lang]
    summary = t["round_summary"][lang].format(
        matched=result.mentees_matched,
        wanting=result.mentees_with_needs,
        pairs=len(result.pairs),
        total=number(result.total_score, ".2f", lang),
        proof=proof,
    )
    progress("drawing the mentoring round")
    listed = result.pairs[:LISTED]
    parts = [
        f'<section id="mentoring-round"><h2>{escape(t["round_title"][lang])}</h2>',
        f"<p>{escape(t['round_intro'][lang])}</p>",
        f'<p class="summary">{escape(summary)}</p>',
        _figure_html(round_figure(result, a.network, lang=lang), t["round_alt"][lang]),
        html_table(
            [t[k][lang] for k in ("mentee", "mentor", "score", "languages", "why")],
            [
                [
                    _bdi(p.mentee),
                    _bdi(p.mentor),
                    number(p.score, ".2f", lang),
                    _join(p.languages, lang),
                    reasons_text(p.reasons, tax, lang),
                ]
                for p in listed
            ],
            row_data=[
                {"mentee": p.mentee, "mentor": p.mentor, "score": repr(p.score)} for p in listed
            ],
        ),
        _listed_note(len(listed), len(result.pairs), "peermatch match --format json", lang),
    ]
    if result.unmatched:
        parts.append(f"<h3>{escape(t['unmatched_title'][lang])}</h3>")
        members = {m.id: m for m in a.network.members}
        parts.append(
            html_table(
                [t[k][lang] for k in ("member", "name", "why_unmatched")],
                [
                    [
                        _bdi(u.member),
                        _bdi(names[u.member]),
                        unmatched_reason(u.code, members[u.member], tax, lang),
                    ]
                    for u in result.unmatched
                ],
                row_data=[{"member": u.member, "code": u.code} for u in result.unmatched],
            )
        )
    parts.append("</section>")
    return "".join(parts)


def _circles_section(a: Analysis, lang: str) -> str:
    t, tax, res = TEXT, a.taxonomy, a.circles
    themes = _join((tax.label(k, lang) for k in res.themes), lang) or HEADINGS["none"][lang]
    listed = res.circles[:LISTED]
    summary = t["circles_summary"][lang].format(
        circles=len(res.circles),
        covered=number(res.need_covered, ".2f", lang),
        bound=number(res.bound, ".2f", lang),
        gap=number(res.gap, ".1%", lang),
        left=len(res.left_out),
    )
    rows, data = [], []
    for k, c in enumerate(listed, start=1):
        anchors = [m.id for m in c.members if m.role == "anchor"]
        learners = [m.id for m in c.members if m.role == "learner"]
        rows.append(
            [
                k,
                tax.label(c.theme, lang),
                c.language,
                _bdi(", ".join(anchors)),
                _bdi(", ".join(learners)),
                number(c.need_covered, ".2f", lang),
            ]
        )
        data.append({"theme": c.theme, "language": c.language, "members": " ".join(c.ids)})
    return "".join(
        [
            f'<section id="learning-circles"><h2>{escape(t["circles_title"][lang])}</h2>',
            "<p>"
            + escape(
                t["circles_intro"][lang].format(low=res.size[0], high=res.size[1], themes=themes)
            )
            + "</p>",
            f'<p class="summary">{escape(summary)}</p>',
            html_table(
                [
                    "#",
                    HEADINGS["theme"][lang],
                    t["languages"][lang],
                    t["anchors"][lang],
                    t["learners"][lang],
                    t["need_covered"][lang],
                ],
                rows,
                row_data=data,
            )
            if rows
            else f"<p>{escape(HEADINGS['none'][lang])}</p>",
            _listed_note(len(listed), len(res.circles), "peermatch circles --format json", lang),
            "</section>",
        ]
    )


def _graph_section(a: Analysis, lang: str, progress: Callable[[str], None]) -> str:
    t, h, tax = TEXT, HEADINGS, a.taxonomy
    names = {m.id: m.name for m in a.network.members}
    parts = [
        f'<section id="help-graph"><h2>{escape(t["graph_title"][lang])}</h2>',
        f"<p>{escape(t['graph_intro'][lang])}</p>",
    ]
    if a.graph.number_of_nodes():
        progress("drawing the help graph")
        total = a.graph.number_of_nodes()
        caption = (
            t["graph_subset"][lang].format(shown=GRAPH_NODES, total=total)
            if total > GRAPH_NODES
            else ""
        )
        figure = help_graph_figure(
            a.graph,
            circles=a.circles,
            exchanges=a.exchanges,
            cmap=a.capacity,
            taxonomy=tax,
            lang=lang,
        )
        parts.append(_figure_html(figure, t["graph_alt"][lang], caption))
    brokers = a.capacity.brokers
    title = h["brokers"][lang]
    if a.capacity.broker_sources is not None:
        title += f" ({h['sampled'][lang].format(k=a.capacity.broker_sources)})"
    parts.append(f"<h3>{escape(title)}</h3>")
    parts.append(
        html_table(
            ["#", *(h[k][lang] for k in ("member", "name", "score", "can_help", "helped_by"))],
            [
                [
                    k,
                    _bdi(b.member),
                    _bdi(names[b.member]),
                    number(b.score, ".4f", lang),
                    b.can_help,
                    b.helped_by,
                ]
                for k, b in enumerate(brokers, start=1)
            ],
            row_data=[{"member": b.member, "score": repr(b.score)} for b in brokers],
        )
        if brokers
        else f"<p>{escape(h['none'][lang])}</p>"
    )
    ex = a.exchanges
    proof = t["proven" if ex.optimal else "not_proven"][lang]
    listed = ex.pairs[:LISTED]
    parts += [
        f"<h3>{escape(t['exchanges_title'][lang])}</h3>",
        "<p>"
        + escape(
            t["exchanges_summary"][lang].format(
                pairs=len(ex.pairs), members=ex.members, eligible=ex.eligible, proof=proof
            )
        )
        + "</p>",
    ]
    if listed:
        parts.append(
            html_table(
                [t[k][lang] for k in ("member_a", "member_b", "a_teaches_b", "b_teaches_a")],
                [
                    [
                        _bdi(e.a),
                        _bdi(e.b),
                        reasons_text(e.a_to_b_reasons, tax, lang),
                        reasons_text(e.b_to_a_reasons, tax, lang),
                    ]
                    for e in listed
                ],
                row_data=[{"a": e.a, "b": e.b} for e in listed],
            )
        )
        parts.append(
            _listed_note(len(listed), len(ex.pairs), "peermatch exchanges --format json", lang)
        )
    parts.append("</section>")
    return "".join(parts)


def render_report(
    analysis: Analysis, *, lang: str = "en", progress: Callable[[str], None] | None = None
) -> str:
    """The report as one HTML document (UTF-8 text) in ``lang``; ``progress``
    is told each figure before it is drawn."""
    if lang not in LABEL_LANGUAGES:
        raise ValueError(f"lang must be one of {', '.join(LABEL_LANGUAGES)}, got {lang!r}")
    say = progress or (lambda _step: None)
    a, t = analysis, TEXT
    direction = "rtl" if lang in RTL_LANGUAGES else "ltr"
    commands = ", ".join(
        f'<code dir="ltr">peermatch {c} --format json</code>'
        for c in ("map", "match", "circles", "exchanges")
    )
    # Markers for the parts that are HTML (as in _listed_note).
    footer = escape(
        t["footer"][lang].format(
            sha="§sha§", version=a.network.taxonomy_version, commands="§commands§"
        )
    )
    footer = footer.replace("§sha§", f'<code dir="ltr">{input_sha256(a.network)}</code>').replace(
        "§commands§", commands
    )
    body = "".join(
        [
            f"<header><h1>{escape(t['title'][lang])}</h1>",
            f'<p class="lede">{escape(t["lede"][lang].format(members=len(a.network.members)))}'
            "</p></header>",
            _key_figures(a, lang),
            _capacity_section(a, lang, say),
            _round_section(a, lang, say),
            _circles_section(a, lang),
            _graph_section(a, lang, say),
            f"<footer><p>{footer}</p></footer>",
        ]
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}" dir="{direction}">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(t['title'][lang])}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
