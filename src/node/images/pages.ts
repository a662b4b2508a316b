// The default pages of the web-server images, shared by the Node built-ins and the busybox ones so
// both serve byte-for-byte the same text.
export const NGINX_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>
<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

export const HTTPD_PAGE = '<html><body><h1>It works!</h1></body></html>\n';
