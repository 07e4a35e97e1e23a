/* s3_presign: presigned URLs, AWS Signature Version 4 in the query string ("Authenticating Requests: Using
 * Query Parameters", Amazon S3 API Reference). The canonical request is
 *
 *	GET \n /encoded/path \n sorted query (the X-Amz-* parameters but the signature) \n host:HOST \n \n
 *	host \n UNSIGNED-PAYLOAD
 *
 * its SHA-256 goes into the string to sign with the time and the scope DATE/REGION/s3/aws4_request, and
 * the signature is the HMAC-SHA256 of that under the key derived from the secret, date, region and
 * service. The URL carries the canonical query and then the signature, as AWS's example does. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "err.h"
#include "s3.h"
#include "s3_impl.h"

static void
hmac(const void *key, size_t keylen, const char *msg, unsigned char out[32])
{
	unsigned int n = 32;

	HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg, strlen(msg), out, &n);
}

/* The signature of string_to_sign for date (YYYYMMDD) and region, in hex (65 bytes). */
static void
sign(const char *secret, const char *date, const char *region, const char *string_to_sign, char hex[65])
{
	unsigned char k[32], sig[32];
	char *k0 = malloc(strlen(secret) + 5);

	if (k0 == NULL) { /* out of memory: an empty key gives a signature the server refuses */
		hmac("", 0, date, k);
	} else {
		sprintf(k0, "AWS4%s", secret);
		hmac(k0, strlen(k0), date, k);
		memset(k0, 0, strlen(k0));
		free(k0);
	}
	hmac(k, 32, region, k);
	hmac(k, 32, "s3", k);
	hmac(k, 32, "aws4_request", k);
	hmac(k, 32, string_to_sign, sig);
	s3_hex(sig, 32, hex);
}

/* Split "scheme://host[:port]/path" into the Host header (without a default port, as HTTP clients send
 * it) and the path. Returns 0, or -1 when url is not of that form. */
static int
split_url(const char *url, char *host, size_t hostlen, const char **path)
{
	const char *h = strstr(url, "://"), *p;
	size_t n;

	if (h == NULL)
		return -1;
	h += 3;
	p = strchr(h, '/');
	n = p != NULL ? (size_t)(p - h) : strlen(h);
	if (n == 0 || n >= hostlen || strchr(url, '?') != NULL)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	if ((strncmp(url, "https://", 8) == 0 && n > 4 && strcmp(host + n - 4, ":443") == 0) ||
	    (strncmp(url, "http://", 7) == 0 && n > 3 && strcmp(host + n - 3, ":80") == 0))
		*strrchr(host, ':') = '\0';
	*path = p != NULL ? p : "/";
	return 0;
}

int
s3_presign_url(const char *url, const char *region, const char *access_key, const char *secret_key,
    const char *session_token, time_t now, long expires, char **out, char *err, size_t errlen)
{
	char host[256], amzdate[17], date[9], creq_hash[65], sig[65], *cred = NULL, *tok = NULL, *creq = NULL,
	    *sts = NULL, *q = NULL;
	unsigned char md[32];
	const char *path;
	struct tm tm;
	int rc = 0;

	*out = NULL;
	if (expires < 1 || expires > S3_PRESIGN_MAX)
		return err_ret(EX_USAGE, err, errlen, "presign: %ld seconds: not from 1 to %d (7 days, S3's limit)",
		    expires, S3_PRESIGN_MAX);
	if (split_url(url, host, sizeof host, &path) != 0)
		return err_ret(EX_USAGE, err, errlen, "presign: %s: not a URL without a query", url);
	gmtime_r(&now, &tm);
	strftime(amzdate, sizeof amzdate, "%Y%m%dT%H%M%SZ", &tm);
	strftime(date, sizeof date, "%Y%m%d", &tm);
	{
		char scope[512];

		snprintf(scope, sizeof scope, "%s/%s/%s/s3/aws4_request", access_key, date, region);
		if ((cred = s3_uri_encode(scope, 0)) == NULL)
			rc = EX_SOFTWARE;
	}
	if (session_token != NULL && (tok = s3_uri_encode(session_token, 0)) == NULL)
		rc = EX_SOFTWARE;
	/* the canonical query: its parameters sorted by name */
	if (rc == 0 && cred != NULL &&
	    asprintf(&q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%s&X-Amz-Date=%s&X-Amz-Expires=%ld%s%s"
	    "&X-Amz-SignedHeaders=host", cred, amzdate, expires, tok ? "&X-Amz-Security-Token=" : "",
	    tok ? tok : "") < 0)
		q = NULL;
	if (q != NULL && asprintf(&creq, "GET\n%s\n%s\nhost:%s\n\nhost\nUNSIGNED-PAYLOAD", path, q, host) < 0)
		creq = NULL;
	if (creq != NULL) {
		EVP_Digest(creq, strlen(creq), md, NULL, EVP_sha256(), NULL);
		s3_hex(md, 32, creq_hash);
		if (asprintf(&sts, "AWS4-HMAC-SHA256\n%s\n%s/%s/s3/aws4_request\n%s", amzdate, date, region,
		    creq_hash) < 0)
			sts = NULL;
	}
	if (sts != NULL) {
		sign(secret_key, date, region, sts, sig);
		/* the URL: the canonical query (as in AWS's example), the signature last */
		if (asprintf(out, "%s?%s&X-Amz-Signature=%s", url, q, sig) < 0)
			*out = NULL;
	}
	free(cred);
	free(tok);
	free(q);
	free(creq);
	free(sts);
	if (*out == NULL)
		return err_ret(EX_OSERR, err, errlen, "presign: out of memory");
	return 0;
}

int
s3_presign(const s3_config *c, const char *bucket, const char *key, long expires, time_t now, char **out,
    char *err, size_t errlen)
{
	char *url = s3_url(c, bucket, key, NULL);
	int rc;

	*out = NULL;
	if (url == NULL)
		return err_ret(EX_OSERR, err, errlen, "presign: out of memory");
	rc = s3_presign_url(url, s3_region(c), c->access_key, c->secret_key, c->session_token, now, expires, out,
	    err, errlen);
	free(url);
	return rc;
}
