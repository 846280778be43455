/*
 * lintcmd.h - "closeloop lint": check a template set before it serves
 */
#ifndef LINTCMD_H
#define LINTCMD_H

struct config;

/*
 * Run "closeloop lint [--json] [DIR]" (argv[0] is the command's name):
 * load the set in DIR (templates.dir if not given), check it with
 * lint_set() and print the problems and a summary - or, with --json, one
 * JSON object: dir, version, templates, locales, loads, errors and
 * warnings (arrays of the problems). Returns the exit status: 0, 1 on
 * any error, EX_USAGE for a bad command line.
 */
int lintcmd_run(const struct config *cf, int argc, char **argv);

#endif
