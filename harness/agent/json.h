/*
 * A minimal reader for the agent's requests: one flat JSON object per line whose values are
 * strings, numbers, booleans, null, or arrays of strings. Anything else is a malformed request.
 */
#ifndef TCPCONFORM_JSON_H
#define TCPCONFORM_JSON_H

#include <stddef.h>

enum jtype { J_NULL, J_BOOL, J_NUMBER, J_STRING, J_STRINGS };

#define J_MAX_FIELDS 16
#define J_MAX_STRINGS 32
#define J_KEY_MAX 32
#define J_STR_MAX 512

struct jfield {
	char key[J_KEY_MAX];
	enum jtype type;
	double number;
	int boolean;
	char string[J_STR_MAX];
	int count;
	char strings[J_MAX_STRINGS][J_STR_MAX / 4];
};

struct jobject {
	int count;
	struct jfield fields[J_MAX_FIELDS];
};

/* Parses text into obj; returns NULL on success or a message saying what is wrong. */
const char *json_parse(const char *text, struct jobject *obj);
const struct jfield *json_get(const struct jobject *obj, const char *key);

/* Appends s to out (capacity cap) as a JSON string literal, escaped. */
void json_quote(char *out, size_t cap, const char *s);

#endif
