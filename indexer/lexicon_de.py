"""Word parts for German compound splitting, folded (lower case, ä->a, ö->o, ü->u, ß->ss).

Chosen for building files: construction, administration, property, and the
common heads of street names.  A compound is split where it can be read as a
sequence of these parts (with the linking elements -s-, -es-, -n-, -en-, -e-),
or as an unknown head followed by one known part of at least four letters
("Lindenstraße" -> linden + strasse).  See ``indexer.analysis.split_compound``.
"""

_TEXT = """
    abbruch abnahme abschluss absperrung abstand abwasser achse akte aktenzeichen amt anbau
    anderung anhorung anlage anschluss antrag anzeige arbeit architekt aufsicht aufstockung
    aufzug ausbau ausfuhrung ausgang ausnahme aussen ausweis auszug bad balkon bau bauherr
    bauteil bebauung befreiung begehung behorde beleuchtung berechnung bericht beschluss
    bescheid bescheinigung beseitigung besitz beton betrieb bewehrung bezirk blatt boden
    brand brucke buro carport dach decke denkmal doppel eigentum eigentumer einfahrt
    einfamilien eingang einheit einstellung eintrag energie entwasserung entwurf erd
    erdgeschoss erlaubnis ersatz fach fassade feld fenster fertigstellung feuer feuerwehr
    flache flur forderung frist fuhrung fundament gang garage garten gas gaube gebaude
    gebuhr gelande gemarkung gemeinde genehmigung gesamt geschoss gewerbe giebel gleis
    grenze grund grundriss grundstuck gutachten hallen haupt haus heizung hinter hof holz
    hohe ingenieur innen keller kinder klausel kosten kuche kunst lage lager land last laden
    lauf leitung licht luftung mangel mauer mehrfamilien miet mittel nachbar nachtrag
    nachweis neben neubau nutzung ober ort parkplatz pfahl plan planung platz prufung pruf
    putz rampe rand raum recht reihen riss roh ruck ruckbau sachverstandige sanierung
    satzung schacht schaden schein schluss schnitt schornstein schrift schutz sicherheit
    sohle sonder spiel stahl stand statik stell stellplatz stockwerk strasse streifen strom
    stuck stutze tabelle tiefe tor trag tragwerk treppe tur uber umbau umnutzung unter
    veranderung verfahren verkehr verlangerung vermessung versickerung verwaltung voll vor
    vorbescheid wand wasser weg werk wert winter wohn wohnung zaun zeichnung zimmer zufahrt
    zugang allee chaussee damm gasse graben gurtel markt pfad ring steig ufer wall
"""
WORDS = frozenset(_TEXT.split())
