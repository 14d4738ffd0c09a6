"""Fixed lists of French names and Vosges addresses: the demo and the synthetic base draw from them
with a seeded `random.Random`, so every run produces the same people."""

NOMS = [
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent",
    "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard",
    "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure", "André", "Mercier",
    "Blanc", "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin",
    "Robin", "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier", "Masson", "Marchand",
    "Duval", "Denis", "Dumont", "Marie", "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun",
    "Blanchard", "Giraud", "Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud", "Martínez",
    "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux", "Colin", "Vidal", "Caron", "Picard",
    "Haxaire", "Vuillemin", "Claudel", "Pierrat", "Thiébaut", "Mougel", "Valentin", "Didier", "Jacquot", "Colnel",
]  # fmt: skip

PRENOMS_F = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Jade", "Louise", "Clara",
    "Zoé", "Lucie", "Nadia", "Élodie", "Aurélie", "Sandrine", "Nathalie", "Isabelle", "Sophie", "Céline",
    "Amina", "Fatoumata", "Yasmine", "Océane", "Maëlle", "Laëtitia", "Mélanie", "Christelle", "Josiane", "Hélène",
]  # fmt: skip

PRENOMS_H = [
    "Lucas", "Hugo", "Nathan", "Enzo", "Louis", "Théo", "Mathis", "Tom", "Noah", "Gabriel",
    "Kévin", "Jérémy", "Julien", "Nicolas", "Sébastien", "Thierry", "Pascal", "Didier", "Franck", "Stéphane",
    "Mamadou", "Karim", "Yanis", "Rémi", "Loïc", "Jérôme", "Cédric", "Anthony", "Dylan", "Joël",
]  # fmt: skip

# (commune, code postal); Épinal's and Saint-Dié's areas first.
COMMUNES = [
    ("Épinal", "88000"),
    ("Golbey", "88190"),
    ("Thaon-les-Vosges", "88150"),
    ("Chantraine", "88000"),
    ("Saint-Dié-des-Vosges", "88100"),
    ("Raon-l'Étape", "88110"),
    ("Saint-Michel-sur-Meurthe", "88470"),
    ("Remiremont", "88200"),
    ("Gérardmer", "88400"),
    ("Neufchâteau", "88300"),
    ("Mirecourt", "88500"),
    ("Rambervillers", "88700"),
]

VOIES = [
    "rue de la Gare", "rue Léopold Bourg", "avenue de Provence", "rue d'Alsace", "quai des Bons Enfants",
    "rue Thiers", "rue de la Bolle", "rue Saint-Charles", "rue du Général Leclerc", "avenue Victor Hugo",
    "rue des Forts", "rue de Lorraine", "place des Vosges", "rue Jean Jaurès", "rue du Maréchal Foch",
    "chemin du Saut-le-Cerf", "rue de la Louvière", "rue des Jardiniers", "allée des Tilleuls", "rue d'Épinal",
]  # fmt: skip

NOTES = [
    "Point sur les démarches en cours ; prochaines étapes convenues ensemble.",
    "Bilan du budget du mois, factures à jour.",
    "Recherche d'emploi : deux candidatures envoyées, une réponse attendue.",
    "Préparation du dossier de demande de logement social.",
    "Échange sur la santé ; rendez-vous médical pris par la personne.",
    "Démarches CAF : attestation transmise.",
    "Point sur la formation envisagée et son financement.",
    "Mobilité : inscription au permis de conduire évoquée.",
    "Relance téléphonique pour le rendez-vous de la semaine prochaine.",
    "Visite du logement : entretien correct, voisinage sans difficulté.",
]


def adresse(rng):
    commune, code = rng.choice(COMMUNES)
    return f"{rng.randint(1, 120)} {rng.choice(VOIES)}\n{code} {commune}"


def telephone(rng):
    return f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
