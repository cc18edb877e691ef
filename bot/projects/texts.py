"""Texts of the project commands (create and list projects)."""

NB = {
    "project.help.new": "Opprett et prosjekt (navn, beskrivelse, faggrupper)",
    "project.help.list": "Vis prosjektene",
    "project.form.title": "Nytt prosjekt",
    "project.form.name": "Navn",
    "project.form.description": "Kort beskrivelse",
    "project.form.faggrupper": "Faggrupper som er med",
    "project.form.create": "Opprett prosjekt",
    "project.name_taken": "Det finnes allerede et prosjekt med dette navnet.",
    "project.created": "Prosjektet **{name}** er opprettet.",
    "project.list.title": "Prosjekter",
    "project.list.none": "Det finnes ingen prosjekter ennå. Prosjektleder oppretter et med **prosjekt ny**.",
    "project.list.faggrupper": "Faggrupper: {names}",
    "project.list.no_faggrupper": "Ingen faggrupper valgt",
    "project.list.phase": "Fase: {phase}",
}

EN = {
    "project.help.new": "Create a project (name, description, expert groups)",
    "project.help.list": "Show the projects",
    "project.form.title": "New project",
    "project.form.name": "Name",
    "project.form.description": "Short description",
    "project.form.faggrupper": "Expert groups involved",
    "project.form.create": "Create project",
    "project.name_taken": "A project with this name already exists.",
    "project.created": "The project **{name}** has been created.",
    "project.list.title": "Projects",
    "project.list.none": "There are no projects yet. A project leader creates one with **project new**.",
    "project.list.faggrupper": "Expert groups: {names}",
    "project.list.no_faggrupper": "No expert groups chosen",
    "project.list.phase": "Phase: {phase}",
}
