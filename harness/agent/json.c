#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* Reads a string literal at p (which points at the quote) into out; returns the byte after it. */
static const char *read_string(const char *p, char *out, size_t cap, const char **error)
{
	size_t n = 0;
	p++;
	while (*p && *p != '"') {
		char c = *p++;
		if ((unsigned char)c < 0x20) {
			*error = "control character in string";
			return NULL;
		}
		if (c == '\\') {
			char e = *p++;
			switch (e) {
			case '"': case '\\': case '/': c = e; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				unsigned v = 0;
				for (int i = 0; i < 4; i++) {
					char h = *p++;
					v <<= 4;
					if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
					else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
					else { *error = "bad \\u escape"; return NULL; }
				}
				/* Requests are ASCII; anything wider is kept as '?'. */
				c = v < 0x80 ? (char)v : '?';
				break;
			}
			default:
				*error = "bad escape in string";
				return NULL;
			}
		}
		if (n + 1 >= cap) {
			*error = "string too long";
			return NULL;
		}
		out[n++] = c;
	}
	if (*p != '"') {
		*error = "unterminated string";
		return NULL;
	}
	out[n] = 0;
	return p + 1;
}

const char *json_parse(const char *text, struct jobject *obj)
{
	const char *error = NULL;
	const char *p = skip_ws(text);
	obj->count = 0;
	if (*p++ != '{')
		return "request is not a JSON object";
	p = skip_ws(p);
	if (*p == '}')
		return *skip_ws(p + 1) ? "trailing characters after the object" : NULL;
	for (;;) {
		if (obj->count == J_MAX_FIELDS)
			return "too many fields";
		struct jfield *f = &obj->fields[obj->count++];
		memset(f, 0, sizeof *f);
		if (*p != '"')
			return "expected a field name";
		if (!(p = read_string(p, f->key, sizeof f->key, &error)))
			return error;
		p = skip_ws(p);
		if (*p++ != ':')
			return "expected ':' after a field name";
		p = skip_ws(p);
		if (*p == '"') {
			f->type = J_STRING;
			if (!(p = read_string(p, f->string, sizeof f->string, &error)))
				return error;
		} else if (*p == '[') {
			f->type = J_STRINGS;
			p = skip_ws(p + 1);
			while (*p != ']') {
				if (f->count == J_MAX_STRINGS)
					return "array too long";
				if (*p != '"')
					return "arrays may only hold strings";
				if (!(p = read_string(p, f->strings[f->count++], sizeof f->strings[0], &error)))
					return error;
				p = skip_ws(p);
				if (*p == ',')
					p = skip_ws(p + 1);
				else if (*p != ']')
					return "expected ',' or ']' in array";
			}
			p++;
		} else if (!strncmp(p, "true", 4) || !strncmp(p, "false", 5)) {
			f->type = J_BOOL;
			f->boolean = *p == 't';
			p += f->boolean ? 4 : 5;
		} else if (!strncmp(p, "null", 4)) {
			f->type = J_NULL;
			p += 4;
		} else {
			char *end;
			f->type = J_NUMBER;
			f->number = strtod(p, &end);
			if (end == p)
				return "unexpected value";
			p = end;
		}
		p = skip_ws(p);
		if (*p == ',') {
			p = skip_ws(p + 1);
			continue;
		}
		if (*p++ != '}')
			return "expected ',' or '}' after a value";
		return *skip_ws(p) ? "trailing characters after the object" : NULL;
	}
}

const struct jfield *json_get(const struct jobject *obj, const char *key)
{
	for (int i = 0; i < obj->count; i++)
		if (!strcmp(obj->fields[i].key, key))
			return &obj->fields[i];
	return NULL;
}

void json_quote(char *out, size_t cap, const char *s)
{
	size_t n = strlen(out);
	if (n + 1 < cap)
		out[n++] = '"';
	for (; *s && n + 8 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	if (n + 1 < cap)
		out[n++] = '"';
	out[n] = 0;
}
